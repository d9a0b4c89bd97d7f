r"""Regular expressions of request fields, written to mean the same wherever they are read.

pydantic-core checks a field's pattern with Rust's `regex`, the OpenAPI document hands it
to clients as ECMA-262, and Python's `re` reads it in tests. Their shorthand classes
disagree (`\s` is a different set of characters in each), so the classes are spelled out
with escapes all three read alike: `\xHH`, `\uHHHH` and ranges of them.
"""

# Exactly the characters Python's str.isspace() counts, which str.strip() removes.
WHITESPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# PostgreSQL text cannot hold NUL characters: refused here, they would fail as a 500 later.
WITHOUT_NUL = r"^[^\x00]*$"

# Not whitespace alone: one character that is neither whitespace nor NUL, and no NUL at all.
NOT_BLANK = rf"^[{WHITESPACE}]*[^{WHITESPACE}\x00][^\x00]*$"

# An integer as a path or query string sends it: ASCII digits, after a minus sign if it is
# negative. int() also reads " 1", "1\n", "+1", "1_0" and "\u0661" (an Arabic-Indic one),
# none of which a document's integer allows.
DIGITS = r"^-?[0-9]+$"
