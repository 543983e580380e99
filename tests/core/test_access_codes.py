"""Access codes as people read and type them: no look-alikes, forgiving input, keyed hashes."""

from __future__ import annotations

from survey.core import access_codes as ac


def test_the_alphabet_has_no_look_alikes():
    assert not set(ac.ALPHABET) & set("0O QD1IL2Z5S8BUV")
    codes = {ac.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == ac.LENGTH and set(c) <= set(ac.ALPHABET) for c in codes)


def test_typed_codes_are_normalized():
    assert ac.printed("K7MX4RTP") == "K7MX-4RTP"
    for typed in ("K7MX-4RTP", "k7mx4rtp", " k7mx 4rtp ", "K7MX–4RTP", "ｋ７ｍｘ４ｒｔｐ"):
        assert ac.normalize(typed) == "K7MX4RTP", typed
    # Digits from an Arabic or a Persian keyboard
    assert ac.normalize("K٧MX-٤RTP") == "K7MX4RTP"
    assert ac.normalize("K۷MX-۴RTP") == "K7MX4RTP"
    for bad in ("", "K7MX", "K7MX-4RTPX", "K0MX-4RTP", "KIMX-4RTP", "x" * 100, None):
        assert ac.normalize(bad) is None, bad


def test_the_hash_is_keyed_and_scoped():
    base = ac.code_hash("secret", 1, 2, "families", "K7MX4RTP")
    assert len(base) == 64
    assert base != ac.code_hash("other", 1, 2, "families", "K7MX4RTP")
    assert base != ac.code_hash("secret", 1, 3, "families", "K7MX4RTP")
    assert base != ac.code_hash("secret", 1, 2, "staff", "K7MX4RTP")
    assert base == ac.code_hash(b"secret", 1, 2, "families", "K7MX4RTP")
