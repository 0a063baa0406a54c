from helpers.expect import expect_between


def test_expect_between_prints_only_the_verdict(capsys):
    assert expect_between("accuracy", 0.7, 0.5, 0.9)
    assert not expect_between("accuracy", 1.0, 0.5, 0.9)
    out = capsys.readouterr().out.splitlines()
    assert out == ["accuracy within the expected 0.5 to 0.9: True",
                   "accuracy within the expected 0.5 to 0.9: False"]
