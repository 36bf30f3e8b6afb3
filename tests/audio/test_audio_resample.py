"""Resampling: chunking invariance, level, frequency, aliasing, alignment, shapes."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from numpy.typing import NDArray

from voicelive.audio import AudioFormatError, StreamingResampler, _resample, resample


@pytest.fixture(autouse=True)
def _fresh_filter_design() -> None:
    """Each test designs the filters it uses instead of reusing an earlier test's: a broken
    design must fail the test that checks it, whatever ran first (and mutation testing
    forks its workers after the cache was filled)."""
    _resample._cached_design.cache_clear()


RATES = (8000, 16000, 24000, 44100, 48000)
PAIRS = [(s, d) for s, d in itertools.permutations(RATES, 2)]


def tone(freq: float, rate: int, seconds: float, amp: float = 0.5) -> NDArray[np.float64]:
    t = np.arange(round(rate * seconds)) / rate
    return amp * np.sin(2 * np.pi * freq * t)


def pcm(x: NDArray[np.float64]) -> NDArray[np.int16]:
    return np.round(x * 32767).astype(np.int16)


def db(x: float) -> float:
    return 20 * math.log10(max(x, 1e-12))


def rms(x: NDArray[np.float64]) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))


def test_signal(rate: int) -> NDArray[np.int16]:
    rng = np.random.default_rng(rate)
    x = (
        tone(440, rate, 0.3, 0.3)
        + tone(3100, rate, 0.3, 0.2)
        + rng.normal(0, 0.05, round(0.3 * rate))
    )
    return pcm(x)


test_signal.__test__ = False  # type: ignore[attr-defined]


def chunked(x: NDArray[np.int16], r: StreamingResampler, size: int) -> NDArray[np.int16]:
    parts = [r.process(x[i : i + size]) for i in range(0, len(x), size)]
    parts.append(r.flush())
    assert all(p.dtype == x.dtype for p in parts)
    return np.concatenate(parts)


@pytest.mark.parametrize("frame_ms", [10, 20])
@pytest.mark.parametrize(("src", "dst"), PAIRS)
def test_chunked_equals_whole(src: int, dst: int, frame_ms: int) -> None:
    x = test_signal(src)
    whole = resample(x, src, dst)
    assert whole.dtype == np.int16
    assert len(whole) == math.ceil(len(x) * dst / src)
    parts = chunked(x, StreamingResampler(src, dst), src * frame_ms // 1000)
    assert len(parts) == len(whole)
    # Chunks change the shapes of the matrix products, and BLAS may sum in another order
    # (float differences around 1e-11): an int16 sample sitting on a .5 tie can round the
    # other way. So: at most 1 LSB apart, and only at such ties (none occur in these signals
    # today; a real difference would touch many samples).
    assert np.abs(parts.astype(np.int32) - whole).max() <= 1
    assert np.count_nonzero(parts != whole) <= len(whole) // 1000
    xf = x.astype(np.float64)
    floats = chunked(xf, StreamingResampler(src, dst), src * frame_ms // 1000)
    np.testing.assert_allclose(floats, resample(xf, src, dst), rtol=0, atol=1e-9)


@pytest.mark.parametrize(("src", "dst"), [(24000, 16000), (44100, 48000), (8000, 24000)])
def test_irregular_chunks_equal_whole(src: int, dst: int) -> None:
    x = test_signal(src)
    rng = np.random.default_rng(7)
    cuts = np.sort(rng.integers(0, len(x), 60))
    r = StreamingResampler(src, dst)
    parts = [r.process(piece) for piece in np.split(x, cuts)]  # includes empty pieces
    parts += [r.process(x[:0]), r.flush()]
    out = np.concatenate(parts)
    assert np.abs(out.astype(np.int32) - resample(x, src, dst)).max() <= 1


def test_float_chunks_match_closely() -> None:
    x = test_signal(48000).astype(np.float32) / 32768
    whole = resample(x, 48000, 24000)
    assert whole.dtype == np.float32
    r = StreamingResampler(48000, 24000)
    parts = np.concatenate([r.process(x[i : i + 480]) for i in range(0, len(x), 480)] + [r.flush()])
    np.testing.assert_allclose(parts, whole, atol=1e-6)


def peak_frequency(y: NDArray[np.float64], rate: int) -> float:
    w = np.hanning(len(y))
    spec = np.abs(np.fft.rfft(y * w))
    k = int(np.argmax(spec))
    a, b, c = np.log(spec[k - 1 : k + 2])
    return float((k + 0.5 * (a - c) / (a - 2 * b + c)) * rate / len(y))  # parabolic peak


@pytest.mark.parametrize(("src", "dst"), PAIRS)
def test_sine_keeps_frequency_and_level(src: int, dst: int) -> None:
    x = tone(1000, src, 0.5)
    y = resample(x, src, dst)
    mid = y[len(y) // 10 : -len(y) // 10]  # away from the edges
    assert abs(db(rms(mid) / (0.5 / math.sqrt(2)))) < 0.5
    assert peak_frequency(mid, dst) == pytest.approx(1000, abs=1.0)
    yi = resample(pcm(x), src, dst).astype(np.float64) / 32767
    assert abs(db(rms(yi[len(yi) // 10 : -len(yi) // 10]) / (0.5 / math.sqrt(2)))) < 0.5


@pytest.mark.parametrize("freq", [4400, 5000, 6000, 7000, 9000, 11000])
def test_downsampling_24k_to_8k_removes_what_would_alias(freq: int) -> None:
    x = tone(freq, 24000, 0.5)
    y = resample(x, 24000, 8000)
    mid = y[400:-400]
    assert db(rms(mid) / rms(x)) < -40


@pytest.mark.parametrize("freq", [300, 1000, 3000])
def test_downsampling_keeps_in_band_tones(freq: int) -> None:
    y = resample(tone(freq, 24000, 0.5), 24000, 8000)[400:-400]
    assert abs(db(rms(y) / (0.5 / math.sqrt(2)))) < 0.5


def out_of_band_db(y: NDArray[np.float64], rate: int, freq: float) -> float:
    """Energy outside +-60 Hz of `freq` relative to the total, Blackman-windowed."""
    spec = np.abs(np.fft.rfft(y * np.blackman(len(y)))) ** 2
    f = np.fft.rfftfreq(len(y), 1 / rate)
    outside = spec[np.abs(f - freq) > 60].sum()
    return 10 * math.log10(outside / spec.sum())


@pytest.mark.parametrize("freq", [500, 1000, 2000, 3000])
def test_upsampling_8k_to_24k_has_no_images(freq: int) -> None:
    y = resample(tone(freq, 8000, 0.5), 8000, 24000)[1200:-1200]
    assert out_of_band_db(y, 24000, freq) < -40
    assert abs(db(rms(y) / (0.5 / math.sqrt(2)))) < 0.5


@pytest.mark.parametrize(("src", "dst"), [(24000, 8000), (8000, 24000)])
def test_aliasing_with_int16_pipeline(src: int, dst: int) -> None:
    # The same checks through the int16 path users actually take.
    if src > dst:
        y = resample(pcm(tone(5000, src, 0.5)), src, dst)[400:-400].astype(np.float64) / 32767
        assert db(rms(y) / (0.5 / math.sqrt(2))) < -40
    else:
        y = resample(pcm(tone(1000, src, 0.5)), src, dst)[1200:-1200].astype(np.float64)
        assert out_of_band_db(y, dst, 1000) < -40


@pytest.mark.parametrize(("src", "dst"), PAIRS)
def test_output_is_aligned_in_time(src: int, dst: int) -> None:
    x = np.zeros(src // 10)
    x[src // 20] = 1.0  # a click at 50 ms
    y = resample(x, src, dst)
    assert abs(int(np.argmax(y)) - dst // 20) <= 1


def test_lengths_and_empty_input() -> None:
    for n in (0, 1, 2, 3, 5, 159, 160, 161):
        x = np.ones(n, np.int16)
        assert len(resample(x, 24000, 16000)) == math.ceil(n * 2 / 3)
        assert len(resample(x, 8000, 44100)) == math.ceil(n * 44100 / 8000)
    r = StreamingResampler(16000, 24000)
    assert r.flush().shape == (0,)
    assert r.process(np.zeros(0, np.int16)).shape == (0,)


def test_same_rate_is_passthrough() -> None:
    x = test_signal(16000)
    y = resample(x, 16000, 16000)
    assert np.array_equal(x, y)
    assert y is not x
    r = StreamingResampler(24000, 24000)
    assert np.array_equal(r.process(x[:10]), x[:10])
    assert r.flush().shape == (0,)


def test_full_scale_square_wave_clips_instead_of_wrapping() -> None:
    square = np.where(np.arange(2400) % 24 < 12, 32767, -32768).astype(np.int16)
    y = resample(square, 24000, 16000)
    assert y.dtype == np.int16
    # Gibbs overshoot saturates: no sample flips sign inside a half period of the square.
    assert y.max() == 32767
    assert y.min() == -32768


def test_stereo_resamples_each_channel() -> None:
    left = pcm(tone(440, 48000, 0.2))
    right = pcm(tone(1000, 48000, 0.2, 0.25))
    stereo = np.stack([left, right], axis=1)
    y = resample(stereo, 48000, 24000)
    assert y.shape == (len(resample(left, 48000, 24000)), 2)
    assert np.array_equal(y[:, 0], resample(left, 48000, 24000))
    assert np.array_equal(y[:, 1], resample(right, 48000, 24000))
    r = StreamingResampler(48000, 24000, channels=2)
    parts = np.concatenate(
        [r.process(stereo[i : i + 480]) for i in range(0, len(stereo), 480)] + [r.flush()]
    )
    assert np.abs(parts.astype(np.int32) - y).max() <= 1


def test_resampler_can_be_reused_after_flush() -> None:
    x = test_signal(24000)
    r = StreamingResampler(24000, 16000)
    first = chunked(x, r, 240)
    second = chunked(x, r, 480)
    assert np.array_equal(first, second)


@pytest.mark.parametrize("rate", [0, -8000, 8000.0, True])
def test_bad_rates(rate: object) -> None:
    with pytest.raises(AudioFormatError, match="src_rate must be a positive int"):
        StreamingResampler(rate, 16000)  # type: ignore[arg-type]
    with pytest.raises(AudioFormatError, match="dst_rate must be a positive int"):
        resample(np.zeros(4, np.int16), 16000, rate)  # type: ignore[arg-type]


def test_bad_input() -> None:
    r = StreamingResampler(24000, 16000)
    with pytest.raises(AudioFormatError, match="int16 or float, got dtype int32"):
        r.process(np.zeros(4, np.int32))
    with pytest.raises(AudioFormatError, match=r"shape \(4, 2\); expected \(n,\)"):
        r.process(np.zeros((4, 2), np.int16))
    with pytest.raises(AudioFormatError, match=r"expected \(n, 2\)"):
        StreamingResampler(24000, 16000, channels=2).process(np.zeros(4, np.int16))
    with pytest.raises(AudioFormatError, match="channels must be a positive int"):
        StreamingResampler(24000, 16000, channels=0)


def test_unreasonable_ratio_is_refused_not_allocated() -> None:
    message = (
        r"cannot resample 44101 -> 48000 Hz: the reduced ratio 48000/44101 needs too large a "
        r"filter; resample to a common rate such as 48000 first$"
    )
    with pytest.raises(AudioFormatError, match=message):
        StreamingResampler(44101, 48000)
    # every pair of the common rates is fine
    common = (8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 96000)
    for src, dst in itertools.permutations(common, 2):
        assert len(resample(np.zeros(10, np.int16), src, dst)) == math.ceil(10 * dst / src)


def sine_fit_residual_db(y: NDArray[np.float64], rate: int, freq: float) -> float:
    """Level of what is left after removing the best-fitting sine at ``freq`` (any gain and
    phase), relative to a 0.5-amplitude sine: images, aliases and noise, not pass-band gain."""
    t = np.arange(len(y)) / rate
    basis = np.stack([np.sin(2 * np.pi * freq * t), np.cos(2 * np.pi * freq * t)], axis=1)
    coef, *_ = np.linalg.lstsq(basis, y, rcond=None)
    return db(rms(y - basis @ coef) / (0.5 / math.sqrt(2)))


# The documented filter: pass band to 86 % of the lower Nyquist frequency, -6 dB half way
# through the transition band, stop band (-80 dB) from the lower Nyquist frequency on.
# Measured with float64 tones so int16 rounding (-101 dB) does not mask anything.
SPEC_PAIRS = [(24000, 16000), (16000, 24000), (24000, 8000), (8000, 24000), (48000, 44100)]


@pytest.mark.parametrize(("src", "dst"), SPEC_PAIRS)
def test_pass_band_is_flat_to_86_percent_of_nyquist(src: int, dst: int) -> None:
    nyquist = min(src, dst) / 2
    for freq in (100.0, 0.5 * nyquist, 0.8 * nyquist, 0.86 * nyquist):
        y = resample(tone(freq, src, 0.5), src, dst)[dst // 20 : -dst // 20]
        # Kaiser ripple for an 80 dB design is about 1e-4 (0.001 dB); 0.01 dB leaves room for
        # the finite measurement window, and still fails for a filter that droops early.
        assert abs(db(rms(y) / (0.5 / math.sqrt(2)))) < 0.01, freq
        assert sine_fit_residual_db(y, dst, freq) < -80, freq  # no images, nothing else


@pytest.mark.parametrize(("src", "dst"), SPEC_PAIRS)
def test_cutoff_is_minus_6_db_mid_transition(src: int, dst: int) -> None:
    freq = (1 + 0.86) / 2 * min(src, dst) / 2
    y = resample(tone(freq, src, 0.5), src, dst)[dst // 20 : -dst // 20]
    assert db(rms(y) / (0.5 / math.sqrt(2))) == pytest.approx(-6.02, abs=0.02)


@pytest.mark.parametrize(("src", "dst"), [(24000, 16000), (24000, 8000), (48000, 44100)])
def test_stop_band_is_80_db_down_from_nyquist(src: int, dst: int) -> None:
    nyquist = dst / 2
    for freq in np.linspace(nyquist, 0.99 * src / 2, 12):
        y = resample(tone(float(freq), src, 0.5), src, dst)[dst // 20 : -dst // 20]
        # The Kaiser estimate lands the stop-band edge at -80.0 dB (48000 -> 44100 measures
        # -80.00 right at Nyquist); 0.1 dB of margin for the measurement.
        assert db(rms(y) / (0.5 / math.sqrt(2))) < -79.9, freq


@pytest.mark.parametrize(("src", "dst"), [(24000, 16000), (8000, 24000), (44100, 48000)])
def test_int16_output_is_the_float_output_rounded_and_clipped(src: int, dst: int) -> None:
    """int16 results are exactly rint() of the float64 results, clipped: no other loss."""
    x = test_signal(src)
    x[100:400] = 32767  # a full-scale step: Gibbs overshoot must clip, not wrap
    x[500:800] = -32768
    exact = resample(x.astype(np.float64), src, dst)
    expected = np.clip(np.rint(exact), -32768, 32767).astype(np.int16)
    assert np.array_equal(resample(x, src, dst), expected)
    assert exact.max() > 32767.5  # the clipping was exercised
    assert exact.min() < -32768.5


def test_process_returns_each_output_as_soon_as_its_input_is_complete() -> None:
    """The hold-back is half the filter, and not one sample more: 24 -> 16 kHz emits its first
    two outputs with input sample 56 (55 = 54 taps after output 0's centre, plus itself), then
    two outputs per three inputs; 8 -> 24 kHz emits three outputs per input from sample 37."""
    r = StreamingResampler(24000, 16000)
    got = list(itertools.accumulate(len(r.process(np.zeros(1, np.int16))) for _ in range(80)))
    assert got == [0 if t < 56 else 2 * ((t - 56) // 3 + 1) for t in range(1, 81)]
    r = StreamingResampler(8000, 24000)
    got = list(itertools.accumulate(len(r.process(np.zeros(1, np.int16))) for _ in range(60)))
    assert got == [0 if t < 37 else 3 * (t - 36) for t in range(1, 61)]


@pytest.mark.parametrize(
    ("src", "dst", "held_ms"), [(24000, 16000, 2.25), (16000, 24000, 2.25), (24000, 8000, 4.5)]
)
def test_streaming_holds_back_the_documented_latency(src: int, dst: int, held_ms: float) -> None:
    r = StreamingResampler(src, dst)
    streamed = sum(len(r.process(np.zeros(src // 50, np.int16))) for _ in range(50))  # 1 s
    tail = len(r.flush())
    assert streamed + tail == dst
    assert tail == round(held_ms * dst / 1000)


def test_passthrough_streams_without_a_tail() -> None:
    x = test_signal(16000)
    r = StreamingResampler(16000, 16000)
    parts = [r.process(x[i : i + 160]) for i in range(0, len(x), 160)]
    assert r.flush().shape == (0,)
    assert np.array_equal(np.concatenate(parts), x)


def test_flush_before_any_input_is_empty_int16() -> None:
    for src, dst in ((24000, 16000), (16000, 16000)):
        out = StreamingResampler(src, dst).flush()
        assert out.shape == (0,)
        assert out.dtype == np.int16


def test_attributes_and_small_valid_arguments() -> None:
    r = StreamingResampler(24000, 16000, channels=2)
    assert (r.src_rate, r.dst_rate, r.channels) == (24000, 16000, 2)
    assert len(resample(np.ones(5, np.int16), 1, 2)) == 10  # 1 Hz is a positive int rate
    for bad in (True, 2.0):
        with pytest.raises(AudioFormatError, match="channels must be a positive int"):
            StreamingResampler(24000, 16000, channels=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("src", "dst"), [(24000, 8000), (48000, 24000), (48000, 16000)])
def test_integer_decimation_has_exactly_unity_gain_at_dc(src: int, dst: int) -> None:
    """With one polyphase branch the taps sum to exactly 1: a constant stays that constant
    (to float rounding), so no level drift however long the stream."""
    y = resample(np.full(src // 10, 0.5), src, dst)[dst // 40 : -dst // 40]
    assert np.abs(y - 0.5).max() < 1e-12


def test_cached_filters_are_read_only() -> None:
    """Filters are shared by every resampler with the same rates; none may change them."""
    coeffs = _resample._cached_design(24000, 16000)[3]
    assert coeffs.flags.writeable is False
