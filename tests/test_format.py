"""Tests of the Markdown table builder used by the book's pages."""

import numpy as np
import pytest

from convmat.book import markdown_table


class TestMarkdownTable:
    def test_default_alignment_labels_left_numbers_right(self):
        text = markdown_table(["name", "n", "bytes"], [["MNIST", 784, "3.1 KiB"]])
        assert text.splitlines() == [
            "| name | n | bytes |",
            "| :--- | ---: | ---: |",
            "| MNIST | 784 | 3.1 KiB |",
        ]

    def test_integers_get_thousands_separators(self):
        text = markdown_table(["a", "b"], [[np.int64(22_658_829_312), 1792]])
        assert text.splitlines()[-1] == "| 22,658,829,312 | 1,792 |"

    def test_other_values_use_str(self):
        text = markdown_table(["a", "b", "c"], [[True, 0.5, None]])
        assert text.splitlines()[-1] == "| True | 0.5 | None |"

    def test_pipes_escaped_and_newlines_joined(self):
        text = markdown_table(["a|b"], [["x|y\nz"]])
        assert text.splitlines() == ["| a\\|b |", "| :--- |", "| x\\|y z |"]

    def test_explicit_alignment(self):
        text = markdown_table(["a", "b", "c"], [[1, 2, 3]], align="crl")
        assert text.splitlines()[1] == "| :---: | ---: | :--- |"

    def test_no_rows(self):
        assert markdown_table(["a"], []) == "| a |\n| :--- |"

    def test_nowrap_joins_spaces_outside_left_columns(self):
        text = markdown_table(
            ["name", "a", "b"],
            [["two words", "84.4 GiB", "3 x 4"]],
            align="llr",
            nowrap=True,
        )
        assert text.splitlines()[-1] == "| two words | 84.4 GiB | 3\xa0x\xa04 |"

    def test_nowrap_off_by_default(self):
        text = markdown_table(["name", "b"], [["x", "84.4 GiB"]])
        assert "\xa0" not in text

    def test_caption_and_name_make_a_table_directive(self):
        text = markdown_table(["a"], [[1]], caption="One | row", name="tab-one")
        assert text.splitlines() == [
            ":::{table} One \\| row",
            ":name: tab-one",
            "",
            "| a |",
            "| :--- |",
            "| 1 |",
            ":::",
        ]

    def test_caption_without_name(self):
        text = markdown_table(["a"], [[1]], caption="One")
        assert text.splitlines()[:2] == [":::{table} One", ""]

    def test_header_string_refused(self):
        with pytest.raises(TypeError, match="`header` must be a sequence"):
            markdown_table("ab", [[1, 2]])

    def test_empty_header_refused(self):
        with pytest.raises(ValueError, match="`header` must have at least one"):
            markdown_table([], [])

    def test_row_length_checked(self):
        with pytest.raises(ValueError, match=r"`rows\[1\]` has 1 cells, expected 2"):
            markdown_table(["a", "b"], [[1, 2], [3]])

    def test_row_string_refused(self):
        with pytest.raises(TypeError, match=r"`rows\[0\]` must be a sequence"):
            markdown_table(["a", "b"], ["ab"])

    @pytest.mark.parametrize("align", ["l", "lrr", "lx"])
    def test_bad_align_refused(self, align):
        with pytest.raises(ValueError, match="`align` must have one of"):
            markdown_table(["a", "b"], [[1, 2]], align=align)

    def test_name_needs_caption(self):
        with pytest.raises(ValueError, match="`name` labels a captioned table"):
            markdown_table(["a"], [[1]], name="tab-a")
