"""The holder's journey in Chromium, run as its own process by test_holder_browser.py.

Playwright's sync API cannot start a second time in a process whose tests/browser suite
already holds it; in a process of its own it shares nothing with the other browser tests.

    python tests/notifications/holder_journey.py BASE_URL CASE_ID OPINION_PDF SHOTS_DIR
"""
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS  # noqa: E402
from tests.conftest import DEMO_PASSWORD  # noqa: E402


def journey(page, base: str, case_id: int, opinion_pdf: str, shots: Path) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("用户名").fill("holder_hetao")
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_role("button", name="菜单").click()  # the phone's collapsed navigation
    page.get_by_role("link", name="待办/协助辨认").click()
    expect(page.get_by_role("heading", name="协助辨认/鉴别")).to_be_visible()
    page.screenshot(path=str(shots / "tasks.png"), full_page=True)

    page.locator(f'[data-case-id="{case_id}"]').click()
    expect(page.get_by_text("查获的“河套”面粉 20 袋")).to_be_visible()
    expect(page.get_by_role("img", name="seized.jpg")).to_be_visible()
    page.get_by_label("辨认结论").select_option("counterfeit")
    page.get_by_label("辨认/鉴别意见", exact=True).fill("包装印刷粗糙，非我会许可企业生产。")
    page.get_by_label("辨认/鉴别材料").set_input_files(opinion_pdf)
    page.screenshot(path=str(shots / "identification.png"), full_page=True)
    page.get_by_role("button", name="提交辨认/鉴别意见").click()
    expect(page.get_by_text("辨认/鉴别意见已提交")).to_be_visible()
    expect(page.get_by_text("目前没有待答复的协助辨认/鉴别请求")).to_be_visible()
    page.screenshot(path=str(shots / "answered.png"), full_page=True)

    page.locator(f'[data-mediable="{case_id}"] a').click()
    expect(page.get_by_role("heading", name="申请调解赔偿数额")).to_be_visible()
    page.get_by_label("请求赔偿数额（元）").fill("50000")
    page.get_by_label("事实和理由").fill("侵权人长期销售假冒面粉。")
    page.get_by_role("button", name="提交调解申请").click()
    expect(page.get_by_text("调解申请已提交")).to_be_visible()
    page.screenshot(path=str(shots / "mediation.png"), full_page=True)


def main(base, case_id, opinion_pdf, shots):
    shots = Path(shots)
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        errors = []
        page.on("response", lambda r: errors.append(f"{r.status} {r.url}")
                if r.status >= 500 else None)
        try:
            journey(page, base, int(case_id), opinion_pdf, shots)
        except Exception:
            page.screenshot(path=str(shots / "failed.png"), full_page=True)
            raise
        finally:
            browser.close()
        assert not errors, f"the server answered with an error: {errors}"


if __name__ == "__main__":
    main(*sys.argv[1:5])
