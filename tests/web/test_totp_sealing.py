"""TOTP seeds at rest: the database holds them sealed under the deployment's key and their own
row, so a copy of the database alone gives no one a head's codes; a change of key is carried
over by ``flask users totp-reseal``; a seed that no key opens refuses its user's codes (an
administrator resets the factor) instead of failing the login page."""
import pytest
from sqlalchemy import select, text

from enforcement.auth import sealing
from enforcement.auth.models import UserTotp
from enforcement.extensions import db
from tests.conftest import Browser, user
from tests.web import fresh_client
from tests.web.test_totp import WRONG_CODE, enrol, logged_in_with_code, path_of, send_code


def stored(username: str) -> str:
    """The seed's column as the database holds it."""
    db.session.rollback()
    return db.session.scalar(text("SELECT sealed_secret FROM user_totp WHERE user_id = :id"),
                             {"id": user(username).id})


def test_the_database_holds_no_seed_in_clear(app):
    phone, _codes = enrol("linhe_head")
    column = stored("linhe_head")
    assert column.startswith("v1:") and phone.secret not in column
    # two seals of the same seed differ (a fresh nonce each), and the login still works
    assert sealing.seal(phone.secret, "totp:1") != sealing.seal(phone.secret, "totp:1")
    assert logged_in_with_code(app, "linhe_head", phone).client.get("/cases/").status_code == 200


def test_a_seed_copied_onto_another_users_row_does_not_open(app):
    head, _codes = enrol("linhe_head")
    enrol("wuyuan_head")
    db.session.execute(text("UPDATE user_totp SET sealed_secret = :s WHERE user_id = :id"),
                       {"s": stored("linhe_head"), "id": user("wuyuan_head").id})
    db.session.commit()
    with pytest.raises(sealing.Unreadable):
        db.session.get(UserTotp, user("wuyuan_head").id).secret
    browser = Browser(fresh_client(app))
    assert path_of(browser.login("wuyuan_head")) == "/login/totp"
    refused = send_code(browser, head.code())
    assert refused.status_code == 200 and WRONG_CODE in refused.get_data(as_text=True)


def test_a_new_secret_key_needs_the_reseal_and_then_the_codes_work_again(app, runner):
    phone, _codes = enrol("linhe_head")
    old = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a-new-secret-key-after-a-leak"
    browser = Browser(fresh_client(app))
    assert path_of(browser.login("linhe_head")) == "/login/totp"
    refused = send_code(browser, phone.code())
    assert WRONG_CODE in refused.get_data(as_text=True)  # the seed does not open: refused

    wrong = runner.invoke(args=["users", "totp-reseal", "--old-secret-key", "not-the-old-one"])
    assert wrong.exit_code == 1 and "resealed 0; unreadable 1" in wrong.output
    result = runner.invoke(args=["users", "totp-reseal", "--old-secret-key", old])
    assert result.exit_code == 0 and "resealed 1; unreadable 0" in result.output, result.output
    assert logged_in_with_code(app, "linhe_head", phone).client.get("/cases/").status_code == 200


def test_a_dedicated_data_key_is_checked_and_used(app, runner):
    phone, _codes = enrol("linhe_head")
    app.config["DATA_ENCRYPTION_KEY"] = "too-short"
    with pytest.raises(ValueError, match="32 bytes"):
        sealing.key_of(app.config)
    new_key = runner.invoke(args=["users", "data-key"]).output.strip()
    app.config["DATA_ENCRYPTION_KEY"] = new_key
    result = runner.invoke(args=["users", "totp-reseal", "--old-secret-key",
                                 app.config["SECRET_KEY"]])
    assert "resealed 1; unreadable 0" in result.output, result.output
    # sealed under the new key now: the key derived from SECRET_KEY no longer opens it
    column = stored("linhe_head")
    with pytest.raises(sealing.Unreadable):
        sealing.unseal(column, f"totp:{user('linhe_head').id}",
                       sealing.key_of({"SECRET_KEY": app.config["SECRET_KEY"]}))
    assert logged_in_with_code(app, "linhe_head", phone).client.get("/cases/").status_code == 200
    assert db.session.scalar(select(UserTotp.user_id)) == user("linhe_head").id
