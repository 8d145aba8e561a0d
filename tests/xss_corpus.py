"""The hostile-text corpus of tests/vendor (see its README): DOMPurify's test payloads and the Big
List of Naughty Strings, with the sample the default test run uses and the checks every path that
carries outside text must pass."""

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

VENDOR = Path(__file__).parent / "vendor"
# The default run's sample: every SAMPLE_STRIDE-th payload of each list, plus these, which
# exercise the contexts our pages have (attribute, text, URL, SVG, entities, formulas).
SAMPLE_STRIDE = 29
MUST_SAMPLE = (
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "<![CDATA[<script>alert(1)</script>]]>",
    "John &amp;amp; Doe",
    "the title tag &lt;title&gt;",
    '=HYPERLINK("http://evil.example","click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
)


@cache
def dompurify_payloads() -> tuple[str, ...]:
    """test/fixtures/expect.js of DOMPurify 0.8.2: a JavaScript array of {payload, expected}."""
    source = (VENDOR / "dompurify" / "expect.js").read_text()
    items = json.loads(source[source.index("[") : source.rindex("]") + 1])
    return tuple(dict.fromkeys(item["payload"] for item in items if item["payload"].strip()))


@cache
def naughty_strings() -> tuple[str, ...]:
    strings = json.loads((VENDOR / "blns" / "blns.json").read_text())
    return tuple(dict.fromkeys(s for s in strings if s.strip()))


@cache
def full_corpus() -> tuple[str, ...]:
    return tuple(dict.fromkeys([*MUST_SAMPLE, *dompurify_payloads(), *naughty_strings()]))


@cache
def sample() -> tuple[str, ...]:
    picked = [*MUST_SAMPLE]
    for strings in (dompurify_payloads(), naughty_strings()):
        picked += strings[::SAMPLE_STRIDE]
    return tuple(dict.fromkeys(picked))


def storable(text: str) -> bool:
    """Whether a curator could store the text as typed: a form refuses NUL characters
    (PostgreSQL cannot hold one) and text that is not valid Unicode (lone surrogates)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def as_typed(text: str) -> str:
    """What a Django form stores of text typed into it: stripped, \\r\\n as \\n."""
    return text.replace("\r\n", "\n").strip()


_INVISIBLE = re.compile(r"\s+")


def visible(text: str) -> str:
    """The characters a reader sees, for comparing stored text with a page's text content:
    whitespace (which HTML folds, and linebreaks turn into tags), control and format characters
    (invisible; an HTML parser may replace some) left out."""
    text = _INVISIBLE.sub("", text)
    return "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cf", "Cs", "Cn", "Co"})


# --- What a rendered page must never hold ----------------------------------------------------

# Checked in a real Chromium after the page ran (tests/test_xss_corpus.py): the DOM the browser
# built, so a payload that the server escaped wrongly shows up here whatever the parser made of
# it. The site itself renders none of these on its public pages.
DOM_CHECK = r"""
() => {
  const found = [];
  const foreign = "iframe,frame,frameset,object,embed,applet,base,img,image,video,audio,source,"
    + "track,math,style,xmp,plaintext,noembed,portal,animate,set,foreignObject,use,"
    + "meta[http-equiv],link[rel=import],script:not([src])";
  for (const element of document.querySelectorAll(foreign)) {
    found.push("element " + element.outerHTML.slice(0, 80));
  }
  for (const script of document.querySelectorAll("script[src]")) {
    if (!script.src.startsWith(location.origin + "/")) {
      found.push("script from " + script.getAttribute("src"));
    }
  }
  const urlAttributes = ["href", "src", "action", "formaction", "data", "xlink:href", "srcdoc",
                         "poster", "background", "cite"];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on") || name === "style" || name === "srcdoc") {
        found.push("attribute " + name + " on " + element.tagName);
      }
      const value = attribute.value.replace(/[\u0000-\u0020\u007f-\u00a0]/g, "").toLowerCase();
      if (urlAttributes.includes(name) && /^(javascript|vbscript|data|blob|file):/.test(value)) {
        found.push("URL " + name + "=" + attribute.value.slice(0, 60));
      }
    }
  }
  return found;
}
"""

# Installed before any page script: a payload that calls one of these leaves a trace.
TRAP_SCRIPT = """
window.__xss = [];
for (const name of ["alert", "confirm", "prompt", "print", "open"]) {
  window[name] = (...args) => { window.__xss.push(name + "(" + args.join(",") + ")"); };
}
"""
