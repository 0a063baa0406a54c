import json
from pathlib import Path

import pytest

from helpers.notebook.expect import RangeCheckError, expect_between

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("*.ipynb"))


def test_expect_between_is_silent_inside_and_raises_outside_naming_the_value(capsys):
    assert expect_between("test accuracy", 0.7312, 0.5, 0.9, percent=True) is None
    assert capsys.readouterr().out == ""
    with pytest.raises(RangeCheckError, match=r"The test accuracy is 100\.0%, outside the range this "
                                              r"lesson expects \(50% to 90%\)"):
        expect_between("test accuracy", 1.0, 0.5, 0.9, percent=True)
    with pytest.raises(AssertionError):  # a failed check fails the test run, under nbval too
        expect_between("gap", -1, 0, 0.01)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_test_machinery_is_on_screen(path):
    cells = json.loads(path.read_text())["cells"]
    for cell in cells:
        source = "".join(cell["source"])
        assert "NBVAL" not in source, f"{cell['id']}: nbval markers are cell tags, not comments"
        shown = json.dumps(cell.get("outputs", []))
        assert "range this lesson expects" not in shown, f"{cell['id']} shows a range check's verdict"
        if "expect_between(" in source and not source.startswith("from "):
            assert cell["metadata"].get("jupyter", {}).get("source_hidden"), f"{cell['id']}: hide the check"
            assert source.startswith("# Range check"), f"{cell['id']}: say what the hidden cell is"
            assert not cell.get("outputs"), f"{cell['id']}: a range check prints nothing"
