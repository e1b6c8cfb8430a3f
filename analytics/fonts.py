"""Where the PDF's Chinese font comes from (中文字体). The PDF embeds a subset of a CJK font installed on the
machine; none ships with the product. `find_cjk_font()` looks, in this order, at:

1. the file named by the environment variable `PBI_CJK_FONT` (regular weight; its bold is looked for beside it),
2. the paths Debian's and other distributions' packages install (`fonts-noto-cjk`: Noto Sans CJK SC, which
   `scripts/system-packages` installs on `make run`; Source Han Sans; WenQuanYi),
3. what `fc-match` offers for those families, or for Simplified Chinese at all, when fontconfig is installed.

A candidate counts only if it has the glyphs of plain Chinese text (fc-match offers a Latin font when it has no
match). In a collection (.ttc) the Simplified Chinese face is chosen by its name. When nothing is found,
`FontMissing` says, in the user's language, what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fontTools import ttLib

from analytics.i18n import t

ENV_VARIABLE = "PBI_CJK_FONT"
# (regular, bold): the bold may be missing (then the regular serves for both).
KNOWN_PATHS: list[tuple[str, str]] = [
    (  # Debian/Ubuntu fonts-noto-cjk
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    (  # Fedora google-noto-sans-cjk-fonts, Arch noto-fonts-cjk
        "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Bold.ttc",
    ),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"),
    (  # Source Han Sans (the same design under Adobe's name)
        "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.ttc",
        "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Bold.ttc",
    ),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", ""),  # Debian fonts-wqy-microhei
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", ""),  # Debian fonts-wqy-zenhei
]
# fontconfig patterns, best first; the last asks for any font for Simplified Chinese.
FC_PATTERNS = ["Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", ":lang=zh-cn"]
# Characters every report prints: a font without them cannot set Chinese text.
PROBE = "党建指数第页共"
# fpdf2 reads only these kinds of font file.
SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
# In a collection, the face for Simplified Chinese says so in its name.
SIMPLIFIED_MARKS = (" SC", " CN", "GB", "Micro Hei", "Zen Hei")


class FontMissing(Exception):
    """No font with Chinese glyphs was found: the PDF cannot be made. `str()` says what to install, in `lang`."""

    def __init__(self, searched: list[str], lang: str = "zh") -> None:
        self.searched = searched
        self.lang = lang
        super().__init__(self.message(lang))

    def message(self, lang: str) -> str:
        return t("report.pdf.font_missing", lang, variable=ENV_VARIABLE)


@dataclass(frozen=True)
class FontFace:
    """One face of a font file; `index` is the face's number in a collection (0 for a single font)."""

    path: Path
    index: int


@dataclass(frozen=True)
class CjkFont:
    regular: FontFace
    bold: FontFace  # the regular face again when no bold was found


_found: dict[str, CjkFont] = {}  # by the environment variable's value: a font found stays found in this process


def find_cjk_font(lang: str = "zh") -> CjkFont:
    """The CJK font to embed; raises `FontMissing` (worded in `lang`) when there is none."""
    wanted = os.environ.get(ENV_VARIABLE, "")
    if wanted in _found:
        return _found[wanted]
    searched: list[str] = []
    for regular, bold, known in _candidates(wanted):
        if regular in searched:  # fc-match answers several patterns with the same fallback
            continue
        searched.append(regular)
        face = _chinese_face(regular, probe=not known)
        if face is None:
            continue
        bold_face = _chinese_face(bold, probe=not known) if bold else None
        _found[wanted] = CjkFont(regular=face, bold=bold_face or face)
        return _found[wanted]
    raise FontMissing(searched, lang)


def _candidates(wanted: str) -> Iterator[tuple[str, str, bool]]:
    """(regular, bold, known): `known` for the packages' own paths, whose glyphs need no probing."""
    if wanted:
        yield wanted, _bold_beside(wanted), False
    for regular, bold in KNOWN_PATHS:
        yield regular, bold, True
    for pattern in FC_PATTERNS:
        regular = _fc_match(pattern)
        if regular:
            yield regular, _fc_match(f"{pattern}:style=Bold"), False


def _bold_beside(path: str) -> str:
    """'…/NotoSansCJK-Regular.ttc' → '…/NotoSansCJK-Bold.ttc' when that exists."""
    name = Path(path).name
    bold = Path(path).with_name(name.replace("Regular", "Bold"))
    return str(bold) if bold.name != name and bold.exists() else ""


def _fc_match(pattern: str) -> str:
    if shutil.which("fc-match") is None:
        return ""
    try:
        done = subprocess.run(
            ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _chinese_face(path: str, probe: bool) -> FontFace | None:
    """The face of `path` for Simplified Chinese (by its name; the first face when none says so), or None when the
    file is missing, unreadable, of a kind fpdf2 cannot embed, or (`probe`) that face has no Chinese glyphs."""
    if not path.lower().endswith(SUFFIXES) or not Path(path).is_file():
        return None
    try:
        names = [_family_name(path, index) for index in range(_face_count(path))]
        index = next((i for i, name in enumerate(names) if any(mark in name for mark in SIMPLIFIED_MARKS)), 0)
        if not probe:
            return FontFace(Path(path), index)
        font = ttLib.TTFont(path, fontNumber=index, lazy=True)
        try:
            cmap = font.getBestCmap() or {}
        finally:
            font.close()
    except Exception:  # a broken font file is just not a candidate
        return None
    return FontFace(Path(path), index) if all(ord(c) in cmap for c in PROBE) else None


def _family_name(path: str, index: int) -> str:
    font = ttLib.TTFont(path, fontNumber=index, lazy=True)
    try:
        return font["name"].getBestFamilyName() or ""
    finally:
        font.close()


def _face_count(path: str) -> int:
    if not path.lower().endswith((".ttc", ".otc")):
        return 1
    collection = ttLib.TTCollection(path, lazy=True)
    try:
        return len(collection.fonts)
    finally:
        collection.close()
