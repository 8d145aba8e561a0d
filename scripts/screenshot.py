"""Save a screenshot of an agreement page from a running PolicyTracker, for the README.

    python scripts/screenshot.py http://127.0.0.1:8000 [--slug irs-ice-mou] [--out FILE.png]

Without --slug it follows the first agreement listed on the home page. Uses Debian's Chromium
(`apt-get install chromium`) through Playwright, the same way the browser tests do.
"""

import argparse
import shutil
import sys
from pathlib import Path
from urllib.parse import urljoin

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base_url", help="where the server runs, e.g. http://127.0.0.1:8000")
    parser.add_argument("--slug", help="the agreement to show (default: first on the home page)")
    parser.add_argument("--out", default="docs/screenshot.png", type=Path)
    parser.add_argument("--width", default=1280, type=int)
    parser.add_argument("--height", default=1600, type=int, help="height of the captured area")
    parser.add_argument("--full-page", action="store_true", help="capture the whole page")
    args = parser.parse_args(argv)

    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("Chromium is not installed: apt-get install chromium")

    base = args.base_url.rstrip("/") + "/"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": args.height})
        if args.slug:
            url = urljoin(base, f"agreements/{args.slug}/")
        else:
            page.goto(base)
            first = page.locator(".card__title a").first
            if first.count() == 0:
                sys.exit(f"No agreement is listed on {base}; load some data first (load_demo).")
            url = urljoin(base, first.get_attribute("href"))
        response = page.goto(url, wait_until="networkidle")
        if response is None or response.status != 200:
            sys.exit(f"{url} answered {response.status if response else 'nothing'}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(args.out), full_page=args.full_page)
        browser.close()
    print(f"Saved {url} to {args.out}")


if __name__ == "__main__":
    main()
