#!/usr/bin/env python3
"""Makes models/datasets/kws_espeak.npz: a small real dataset for the MLPerf Tiny KWS DS-CNN.

What it is: the ten keywords the model knows ("down", "go", "left", "no", "off", "on", "right",
"stop", "up", "yes"), each spoken by three synthetic voices of espeak-ng, plus three words
outside that set ("bird", "house", "tree": the model's "unknown" class) and three clips of quiet
noise ("silence"): 36 one-second clips. They go through the front end the model was trained
with (MLPerf Tiny's keyword_spotting, 'mfcc' features): 16 kHz, the clip scaled by its largest
sample, STFT with a 30 ms periodic Hann window every 20 ms (512-point FFT), magnitudes onto 40
HTK-mel bands from 20 Hz to 4 kHz, log(mel + 1e-6), DCT-II scaled by 1/sqrt(2 * 40), the first
10 coefficients: 49 x 10 x 1 float32 features per clip. Labels are the model's class indices
(its label order: down, go, left, no, off, on, right, stop, up, yes, silence, unknown).

It is real data in the sense that matters for validation: speech-like inputs that land on both
sides of the model's decision boundaries, unlike random inputs that saturate it. It is not
Speech Commands: synthetic voices are far from the recordings the model learned, so its accuracy
here says little about the model; the point is that the board and the PC agree sample by sample.

Needs espeak-ng and sox (Debian packages of those names). Run from the checkout:
    .venv/bin/python scripts/make_kws_dataset.py
"""

from __future__ import annotations

import io
import subprocess
import wave
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent.parent / "models" / "datasets" / "kws_espeak.npz"
CLASSES = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes"]
SILENCE, UNKNOWN = 10, 11
UNKNOWN_WORDS = ["bird", "house", "tree"]
# espeak-ng voice and variant of each speaker: American male, British female, Scottish male
VOICES = [("en-us", "m3"), ("en-gb", "f2"), ("en-gb-scotland", "m1")]

RATE = 16_000
CLIP = RATE  # one second
FRAME, STEP, FFT = 480, 320, 512  # 30 ms window, 20 ms stride
MEL_BANDS, LOW_HZ, HIGH_HZ, COEFFICIENTS = 40, 20.0, 4000.0, 10


def speak(word: str, voice: str, variant: str) -> np.ndarray:
    """`word` spoken by espeak-ng, as 16 kHz mono float samples."""
    spoken = subprocess.run(
        ["espeak-ng", "-v", f"{voice}+{variant}", "--stdout", word],
        capture_output=True,
        check=True,
    ).stdout
    resampled = subprocess.run(
        ["sox", "-t", "wav", "-", "-t", "wav", "-r", str(RATE), "-c", "1", "-b", "16", "-"],
        input=spoken,
        capture_output=True,
        check=True,
    ).stdout
    with wave.open(io.BytesIO(resampled)) as w:
        samples = np.frombuffer(w.readframes(w.getnframes()), np.int16)
    return samples.astype(np.float32) / 32768.0


def one_second(samples: np.ndarray) -> np.ndarray:
    """The clip centred in one second (cut to its middle second if longer)."""
    if len(samples) >= CLIP:
        start = (len(samples) - CLIP) // 2
        return samples[start : start + CLIP]
    clip = np.zeros(CLIP, np.float32)
    start = (CLIP - len(samples)) // 2
    clip[start : start + len(samples)] = samples
    return clip


def hz_to_mel(hz):
    return 1127.0 * np.log1p(np.asarray(hz, np.float64) / 700.0)


def mel_weights() -> np.ndarray:
    """(FFT // 2 + 1) x MEL_BANDS triangular weights on the HTK mel scale; the DC bin gets none."""
    bins = FFT // 2 + 1
    bin_mel = hz_to_mel(np.linspace(0.0, RATE / 2, bins)[1:])[:, None]
    edges = np.linspace(hz_to_mel(LOW_HZ), hz_to_mel(HIGH_HZ), MEL_BANDS + 2)
    lower, centre, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (bin_mel - lower) / (centre - lower)
    falling = (upper - bin_mel) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.vstack([np.zeros((1, MEL_BANDS)), weights])


def mfcc(clip: np.ndarray) -> np.ndarray:
    """49 x 10 MFCC features of a one-second clip (see the module doc)."""
    peak = clip.max()
    scaled = clip / peak if peak > 0 else clip
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAME) / FRAME)  # periodic Hann
    count = 1 + (CLIP - FRAME) // STEP
    frames = np.stack([scaled[i * STEP : i * STEP + FRAME] for i in range(count)]) * window
    magnitude = np.abs(np.fft.rfft(frames, n=FFT))
    log_mel = np.log(magnitude @ mel_weights() + 1e-6)
    n = np.arange(MEL_BANDS)
    k = np.arange(COEFFICIENTS)[:, None]
    dct = 2.0 * np.cos(np.pi * k * (2 * n + 1) / (2 * MEL_BANDS))  # DCT-II, unnormalized
    return (log_mel @ dct.T / np.sqrt(2.0 * MEL_BANDS)).astype(np.float32)


def main() -> None:
    clips, labels = [], []
    for label, word in enumerate(CLASSES):
        for voice, variant in VOICES:
            clips.append(one_second(speak(word, voice, variant)))
            labels.append(label)
    for word, (voice, variant) in zip(UNKNOWN_WORDS, VOICES, strict=True):
        clips.append(one_second(speak(word, voice, variant)))
        labels.append(UNKNOWN)
    noise = np.random.default_rng(2026)
    for level in (0.002, 0.005, 0.01):
        clips.append((noise.standard_normal(CLIP) * level).astype(np.float32))
        labels.append(SILENCE)
    features = np.stack([mfcc(c) for c in clips])[..., None]  # N x 49 x 10 x 1
    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez(OUT, input_0=features, labels=np.array(labels, np.int32))
    print(f"wrote {OUT}: {features.shape[0]} samples of {features.shape[1:]} float32")


if __name__ == "__main__":
    main()
