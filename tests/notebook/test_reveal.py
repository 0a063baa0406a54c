from helpers.notebook.reveal import SUMMARY, folded


def test_a_reading_is_folded_and_its_markup_kept_safe():
    out = folded("A **b** <script>x</script>\n\nSecond `c`.")
    assert out.startswith(f"<details><summary>{SUMMARY}</summary>") and out.endswith("</details>")
    assert "<b>b</b>" in out and "&lt;script&gt;" in out and "<code>c</code>" in out
    assert out.count("<p>") == 2
