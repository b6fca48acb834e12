"""In headless Chromium: a report page's second view fetches only the page itself; its stylesheet, plotly.js
and scripts come from the browser's cache, as their fingerprinted URLs and immutable caching intend."""

from sqlalchemy import select

from tests.e2e import test_browser as browser

# The browser suite's fixtures and markers: a live server with the demo organisation, a Chromium page.
pytestmark = browser.pytestmark
live_server = browser.live_server
page = browser.page


class Traffic:
    """What the page asked for and what crossed the network, from the DevTools protocol's Network events."""

    def __init__(self, page):
        self.requests: dict[str, dict] = {}
        cdp = page.context.new_cdp_session(page)
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda event: self._get(event)["cached"].append("memory"))
        cdp.on("Network.responseReceived", self._received)
        cdp.on("Network.loadingFinished", lambda event: self._get(event).update(bytes=event["encodedDataLength"]))
        cdp.send("Network.enable")

    def _get(self, event) -> dict:
        return self.requests.setdefault(event["requestId"], {"url": "", "cached": [], "bytes": 0, "encoding": ""})

    def _sent(self, event) -> None:
        self._get(event)["url"] = event["request"]["url"]

    def _received(self, event) -> None:
        response = event["response"]
        if response.get("fromDiskCache"):
            self._get(event)["cached"].append("disk")
        headers = {name.lower(): value for name, value in response["headers"].items()}
        self._get(event)["encoding"] = headers.get("content-encoding", "")

    def take(self) -> list[dict]:
        taken = list(self.requests.values())
        self.requests.clear()
        return taken


def test_a_report_pages_second_view_fetches_only_the_page(page, db):
    from learning.campaigns.models import Campaign
    from learning.demo.organisation import DEMO_CAMPAIGN

    running = db.scalar(select(Campaign.id).where(Campaign.name_en == DEMO_CAMPAIGN[1]))  # the yearly one
    browser.sign_in_privileged(page, db, "compliance")
    report = f"{page.base_url}/reports/campaigns/{running}"
    traffic = Traffic(page)

    def view() -> list[dict]:
        page.goto(report)
        page.wait_for_selector("#curve-chart .main-svg")  # plotly.js and charts.js ran
        page.wait_for_load_state("networkidle")
        return traffic.take()

    first = view()
    fetched = {r["url"].split("?")[0].removeprefix(page.base_url): r for r in first if not r["cached"]}
    assert {"/vendor/plotly.min.js", "/static/charts.js"} <= set(fetched)  # the stylesheet came with sign-in
    assert fetched["/vendor/plotly.min.js"]["encoding"] == "br"
    assert fetched["/vendor/plotly.min.js"]["bytes"] < 1_500_000  # 4.8 MB as about 1.2 MB
    page.goto(page.base_url + "/")
    traffic.take()

    second = view()
    # The favicon is asked for by the browser's own favicon loader, not by the page: its events can arrive
    # after the page is idle and without the cache flag (the server log shows no second GET for it), so the
    # page's own requests are the ones compared.
    second = [r for r in second if "/static/favicon.svg" not in r["url"]]
    over_network = [r["url"] for r in second if not r["cached"]]
    assert over_network == [report]
    assets = [r for r in second if r["url"] != report]
    assert {r["url"].split("?")[0].removeprefix(page.base_url) for r in assets} >= {
        "/vendor/plotly.min.js",
        "/static/charts.js",
        "/static/portal.css",
    }
    print(
        f"\nreport page, first view: {sum(r['bytes'] for r in first)} bytes over the network "
        f"({len(first)} requests); second view: {sum(r['bytes'] for r in second)} bytes "
        f"({len(over_network)} of {len(second)} requests over the network)"
    )
