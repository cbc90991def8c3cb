"""Text an attacker (or an unlucky copy-paste) could put in a name, an address or free text."""

HOSTILE = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '"><svg onload=window.__pwned=1>',
    "[click me](javascript:window.__pwned=1)",
    "<a href=\"javascript:window.__pwned=1\">link</a>",
    "**bold** _italic_ # Heading `code` :red[red]",
    "&lt;b&gt;entities&amp;amp;",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "\u202eRight-to-left override\u200f text",
    "Zero\u200bwidth\u200djoiner\ufeff",
    "Emoji 🧠💜👩‍⚕️🏳️‍🌈",
    "Visit https://evil.example/login or www.evil.example :material/warning: :streamlit:",
    "Line one\rLine | two | three",
    "W" * 10_000,
]
