"""The baseline of bench/report_filing.py: bare Flask + Flask-SQLAlchemy, one row per POST.

    gunicorn --pythonpath bench bare_app:app     (BENCH_DATABASE_URL=postgresql://…)

It parses the same JSON body the report API gets and inserts it as one row, in one
transaction, and answers 201 with the row id: the least a filing endpoint can do.
"""
import os
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, DateTime
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class BenchRow(db.Model):
    __tablename__ = "bench_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def _url() -> str:
    url = os.environ["BENCH_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = _url()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True}
    db.init_app(app)

    @app.post("/rows")
    def insert_row():
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify({"error": "JSON object expected"}), 422
        row = BenchRow(payload=body, created_at=datetime.now(UTC))
        db.session.add(row)
        db.session.commit()
        return jsonify({"id": row.id}), 201

    return app


def create_table() -> None:
    """Called once by the harness (never at app start)."""
    app = create_app()
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()


if os.environ.get("BENCH_DATABASE_URL"):
    app = create_app()
