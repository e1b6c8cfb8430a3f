"""The printed meeting material: the hand-made sample report (tests/report_support.py) rendered as an A4 PDF and
read back with pypdf — every heading and message is there as text in an embedded Chinese font, the long scorecard
breaks across pages with its header row on each, every page is numbered and carries the footer, charts are drawn
(not pictures) in the model's colours, withheld values show their notes, and no text is taken as markup.

pypdf reads the CFF fonts fpdf2 embeds as one-byte codes (a NUL before every character; poppler's pdftotext reads
them cleanly), and puts spaces between CJK glyphs: `page_texts` removes both before comparing.
"""

from __future__ import annotations

import io
import logging
import re
import subprocess
from pathlib import Path

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from analytics import fonts, report_pdf
from analytics.report_model import RAG_BARS, Chart, Reference, Section, Series
from analytics.report_pdf import FontMissing, wrap
from tests.report_support import BRANCHES, sample_report

A4 = (595.28, 841.89)


def page_texts(data: bytes) -> list[str]:
    """Each page's text without whitespace and NULs."""
    return [re.sub(r"[\s\x00]+", "", page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {lang: report_pdf.render(sample_report(lang)) for lang in ("zh", "en")}


@pytest.fixture(scope="module")
def zh_pages(rendered: dict[str, bytes]) -> list[str]:
    return page_texts(rendered["zh"])


def test_every_section_heading_and_message_is_in_the_text(rendered: dict[str, bytes]) -> None:
    for lang, data in rendered.items():
        text = "".join(page_texts(data))
        for section in sample_report(lang).sections:
            assert squeeze(section.heading) in text, (lang, section.heading)
            assert squeeze(section.title) in text, (lang, section.title)


def test_the_cover_shows_title_hospital_period_scope_marking_and_lines(zh_pages: list[str]) -> None:
    cover = sample_report().cover
    for text in [cover.title, cover.hospital, cover.period, cover.scope, cover.marking, *cover.lines]:
        assert squeeze(text) in zh_pages[0], text


def test_the_contents_list_each_section_with_its_page(zh_pages: list[str]) -> None:
    contents = zh_pages[1]
    assert "目录一、" in contents
    for number, section in zip("一二三四五六", sample_report().sections, strict=True):
        entry = re.search(rf"{number}、{re.escape(squeeze(section.heading))}[·]*(\d+)", contents)
        assert entry, section.heading
        page = int(entry.group(1))
        assert squeeze(section.title) in zh_pages[page - 1], (section.heading, page)


def test_the_chinese_fonts_are_embedded_in_every_page(rendered: dict[str, bytes]) -> None:
    for data in rendered.values():
        for page in PdfReader(io.BytesIO(data)).pages:
            used = page["/Resources"]["/Font"]
            assert used
            for font in used.values():
                font = font.get_object()
                assert font["/Subtype"] == "/Type0", font  # no unembedded standard font (Helvetica …)
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
                assert "/FontFile2" in descriptor or "/FontFile3" in descriptor
                assert "NotoSansCJK" in font["/BaseFont"]


def test_pages_are_a4_portrait_and_few(rendered: dict[str, bytes]) -> None:
    for data in rendered.values():
        pages = PdfReader(io.BytesIO(data)).pages
        assert 4 <= len(pages) <= 12
        for page in pages:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1


def test_every_page_has_its_number_of_the_total_and_the_footer(rendered: dict[str, bytes]) -> None:
    footer = squeeze(sample_report().footer)
    for lang, data in rendered.items():
        texts = page_texts(data)
        for number, text in enumerate(texts, start=1):
            page = f"第{number}页/共{len(texts)}页" if lang == "zh" else f"Page{number}of{len(texts)}"
            assert page in text, (lang, number)
            assert footer in text, (lang, number)


def test_the_long_table_breaks_across_pages_repeating_its_header_row(zh_pages: list[str]) -> None:
    header = "党支部党建指数党员数排名"
    with_table = [i for i, text in enumerate(zh_pages) if header in text]
    assert len(with_table) >= 2
    assert with_table == list(range(with_table[0], with_table[-1] + 1))  # one run of pages
    rows_on = [sum(text.count(squeeze(b)) for b in BRANCHES) for text in (zh_pages[i] for i in with_table)]
    assert all(rows_on), rows_on  # every page of it holds rows, under its own header
    last = sample_report().section("scorecard").tables[0].rows[-1]
    assert "".join(last) in zh_pages[with_table[-1]]  # the last row, whole, on the last page


def test_withheld_and_unreported_values_show_their_notes(zh_pages: list[str]) -> None:
    text = "".join(zh_pages)
    assert "未上报" in zh_pages[2]  # beside the ranking, in the missing bar's place
    assert "职工满意度<10" in text  # the line chart's note for the missing point
    assert "<10人，不显示" in text  # the figure card's note
    assert "职工——<10" in text  # the satisfaction table's withheld row


def test_a_rag_figure_has_its_word_beside_its_colour(zh_pages: list[str]) -> None:
    assert "▲关注" in zh_pages[2] and "●关注" not in zh_pages[2]  # amber's own shape, not green's


def test_cell_text_is_data_not_markup(rendered: dict[str, bytes]) -> None:
    text = "".join(page_texts(rendered["zh"]))
    assert '=HYPERLINK("x")' in text
    report = sample_report()
    report.sections[-1].sentences.append("**不是粗体** <b>也不是</b> __x__ [链接](http://x)")
    text = "".join(page_texts(report_pdf.render(report)))
    assert squeeze("**不是粗体** <b>也不是</b> __x__ [链接](http://x)") in text


def test_charts_are_vectors_in_the_model_colours(rendered: dict[str, bytes]) -> None:
    reader = PdfReader(io.BytesIO(rendered["zh"]))
    for page in reader.pages:
        assert "/XObject" not in page["/Resources"]  # no picture of a chart
    ranking = reader.pages[2].get_contents().get_data().decode("latin-1")
    fills = {tuple(round(float(v) * 255) for v in m) for m in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) rg", ranking)}
    for hex_colour in RAG_BARS.values():  # green, amber, red bars
        assert tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)) in fills, hex_colour
    assert re.search(r"\[[\d.]+ [\d.]+\] [\d.]+ d", ranking)  # the dashed reference lines


def test_a_chart_of_many_bars_stays_on_one_page() -> None:
    branches = [f"第{i}党支部" for i in range(1, 81)]
    chart = Chart(
        kind="bar",
        title="八十个党支部",
        categories=branches,
        series=[Series(name="党建指数", values=[50 + i % 40 for i in range(80)])],
        references=[Reference(value=60, label="60")],
    )
    report = sample_report()
    report.sections.insert(1, Section(key="party_index", heading="长图", title="八十个党支部", chart=chart))
    texts = page_texts(report_pdf.render(report))
    pages = [i for i, text in enumerate(texts) if "第1党支部" in text and "八十个党支部" in text]
    assert len(pages) == 1
    assert all(b in texts[pages[0]] for b in branches)


def test_a_twelve_section_report_renders(rendered: dict[str, bytes]) -> None:
    report = sample_report()
    report.sections = report.sections * 2
    texts = page_texts(report_pdf.render(report))
    assert 6 <= len(texts) <= 20
    assert "十二、数据说明" in "".join(texts)


def test_no_character_is_missing_from_the_embedded_font(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        for lang in ("zh", "en"):
            report_pdf.render(sample_report(lang))
    assert not [r for r in caplog.records if "missing" in r.getMessage()]


# --- line breaking -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def measuring() -> FPDF:
    font = fonts.find_cjk_font()
    pdf = FPDF()
    pdf.add_font("cjk", "", str(font.regular.path), collection_font_number=font.regular.index)
    pdf.set_font("cjk", "", 10)
    return pdf


def test_chinese_breaks_between_characters_not_inside_words_or_before_commas(measuring: FPDF) -> None:
    text = "数据来源：活动台账 3 个文件，满意度调查 5 个文件。2025Q1–2025Q4 的 Satisfaction 数据，共 1,204 份。" * 3
    lines = wrap(measuring, text, 50)
    assert all(measuring.get_string_width(line) <= 50.01 for line in lines)
    assert squeeze("".join(lines)) == squeeze(text)
    assert not any(line[0] in "，。：" for line in lines)
    for word in ("2025Q1–2025Q4", "Satisfaction", "1,204"):  # never split
        assert any(word in line for line in lines)


def test_english_breaks_after_a_hyphen_between_letters_but_not_in_dates_or_numbers(measuring: FPDF) -> None:
    lines = wrap(measuring, "Medical-ethics 2025-09-12 -8.5", 20)
    assert lines[0] == "Medical-" and "2025-09-12" in lines and "-8.5" in lines


def test_a_separator_after_a_space_does_not_start_a_line(measuring: FPDF) -> None:
    lines = wrap(measuring, "58.1 · 预警", measuring.get_string_width("58.1 · ") + 1)
    assert lines == ["58.1 ·", "预警"]


def test_a_word_longer_than_the_line_is_cut_between_characters(measuring: FPDF) -> None:
    lines = wrap(measuring, "=HYPERLINK(" + "x" * 80 + ")", 30)
    assert len(lines) > 1
    assert all(measuring.get_string_width(line) <= 30.01 for line in lines)


# --- the font ------------------------------------------------------------------------------------------------


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine without any CJK font: nothing at the known paths, no fontconfig."""
    monkeypatch.setattr(fonts, "KNOWN_PATHS", [(str(tmp_path / "NotoSansCJK-Regular.ttc"), "")])
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    monkeypatch.delenv(fonts.ENV_VARIABLE, raising=False)
    monkeypatch.setattr(fonts, "_found", {})


@pytest.mark.usefixtures("no_fonts")
def test_without_a_chinese_font_the_pdf_says_what_to_install() -> None:
    with pytest.raises(FontMissing) as raised:
        report_pdf.render(sample_report("zh"))
    message = str(raised.value)
    assert "中文字体" in message and "sudo apt-get install fonts-noto-cjk" in message and "PBI_CJK_FONT" in message
    with pytest.raises(FontMissing) as raised:
        report_pdf.render(sample_report("en"))
    assert "Chinese font" in str(raised.value) and "fonts-noto-cjk" in str(raised.value)


@pytest.mark.usefixtures("no_fonts")
def test_a_latin_font_named_by_the_variable_is_not_taken_for_a_chinese_one(monkeypatch: pytest.MonkeyPatch) -> None:
    latin = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not latin.exists():
        pytest.skip("DejaVu Sans is not installed")
    monkeypatch.setenv(fonts.ENV_VARIABLE, str(latin))
    with pytest.raises(FontMissing) as raised:
        fonts.find_cjk_font()
    assert str(latin) in raised.value.searched


@pytest.mark.usefixtures("no_fonts")
def test_the_variable_may_name_the_font_file(monkeypatch: pytest.MonkeyPatch) -> None:
    serif = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")
    if not serif.exists():
        pytest.skip("Noto Serif CJK is not installed")
    monkeypatch.setenv(fonts.ENV_VARIABLE, str(serif))
    found = fonts.find_cjk_font()
    assert found.regular.path == serif and found.bold.path.name == "NotoSerifCJK-Bold.ttc"
    assert found.regular.index == 2  # the collection's Simplified Chinese face, by its name
    cover = PdfReader(io.BytesIO(report_pdf.render(sample_report()))).pages[0]
    assert all("NotoSerifCJK" in font.get_object()["/BaseFont"] for font in cover["/Resources"]["/Font"].values())


# --- scripts/system-packages: the font installed on `make run` ----------------------------------------------

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "system-packages"
STUBS = {
    "dpkg-query": 'echo "dpkg-query $*" >> "$LOG"; [ -n "${STUB_INSTALLED:-}" ] && echo "install ok installed"; true',
    "fc-list": "true",
    "apt-get": 'echo "apt-get $*" >> "$LOG"',
    "sudo": 'echo "sudo $*" >> "$LOG"; [ -n "${STUB_SUDO:-}" ] || exit 1; shift; exec "$@"',
    "id": 'echo "${STUB_UID:-1000}"',
}


def system_packages(tmp_path: Path, *args: str, **env: str) -> tuple[subprocess.CompletedProcess, str]:
    """Run the script against stand-ins for dpkg-query, fc-list, apt-get, sudo and id; (its run, what they saw)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name, body in STUBS.items():
        stub = bin_dir / name
        stub.write_text(f"#!/usr/bin/env bash\n{body}\n")
        stub.chmod(0o755)
    log = tmp_path / "log"
    log.write_text("")
    environment = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LOG": str(log), **env}
    done = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True, env=environment, timeout=30)
    return done, log.read_text()


def test_the_script_leaves_an_installed_font_alone(tmp_path: Path) -> None:
    done, seen = system_packages(tmp_path, STUB_INSTALLED="1", STUB_UID="0")
    assert done.returncode == 0 and "apt-get" not in seen


def test_as_root_the_script_installs_the_font(tmp_path: Path) -> None:
    done, seen = system_packages(tmp_path, STUB_UID="0")
    assert done.returncode == 0, done.stderr
    assert "apt-get update" in seen and "apt-get install -y -q --no-install-recommends fonts-noto-cjk" in seen
    assert "sudo" not in seen


def test_with_password_free_sudo_the_script_installs_the_font(tmp_path: Path) -> None:
    done, seen = system_packages(tmp_path, STUB_SUDO="1")
    assert done.returncode == 0, done.stderr
    assert "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install" in seen
    assert "apt-get install -y -q --no-install-recommends fonts-noto-cjk" in seen


def test_without_root_the_script_says_the_command_and_lets_the_app_run(tmp_path: Path) -> None:
    done, seen = system_packages(tmp_path)
    assert done.returncode == 0
    assert "sudo apt-get update && sudo apt-get install -y fonts-noto-cjk" in done.stderr
    assert "apt-get" not in seen.replace("sudo -n true", "")


def test_a_font_named_by_the_variable_needs_no_package(tmp_path: Path) -> None:
    font = tmp_path / "font.ttf"
    font.write_bytes(b"")
    done, seen = system_packages(tmp_path, "--check", PBI_CJK_FONT=str(font))
    assert done.returncode == 0 and "apt-get" not in seen
    done, _ = system_packages(tmp_path, "--check")
    assert done.returncode == 1 and "fonts-noto-cjk" in done.stdout
