"""Text to WAV with eSpeak NG (GPL-3), loaded as a separate shared library from the
``espeakng-loader`` wheel (which carries the library and its English and Welsh voice data).
Nothing of eSpeak NG is copied into this project: it is called through ctypes, as any program
calls a system library."""

from __future__ import annotations

import ctypes
import io
import threading
import wave
from typing import Any

# espeak_AUDIO_OUTPUT: samples are handed to our callback, nothing is played here.
_AUDIO_OUTPUT_RETRIEVAL = 1
_CHARS_UTF8 = 1
# eSpeak NG's voices for the app's languages: British English and Welsh.
VOICES = {"en": "en", "cy": "cy"}

_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class SpeechUnavailable(RuntimeError):
    """eSpeak NG could not be loaded, or has no voice for the language."""


class _Engine:
    """One eSpeak NG instance: its state is global to the library, so calls are serialised."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.lib: Any = None
        self.rate = 0
        self.samples = bytearray()
        self.callback = _CALLBACK(self._collect)  # kept referenced while the library holds it
        self.failed: str | None = None
        self.voices: dict[str, bool] = {}  # language -> has a voice, once asked

    def _collect(self, wav: Any, count: int, events: Any) -> int:
        if count > 0:
            self.samples.extend(ctypes.string_at(wav, count * 2))
        return 0

    def load(self) -> None:
        if self.lib is not None or self.failed is not None:
            return
        try:
            import espeakng_loader  # noqa: PLC0415 - optional at import time: no voice, no button

            lib = ctypes.CDLL(espeakng_loader.get_library_path())
            rate = lib.espeak_Initialize(
                _AUDIO_OUTPUT_RETRIEVAL, 0, espeakng_loader.get_data_path().encode(), 0
            )
        except (ImportError, OSError, RuntimeError) as exc:
            self.failed = str(exc)
            return
        if rate <= 0:
            self.failed = f"espeak_Initialize returned {rate}"
            return
        lib.espeak_SetSynthCallback(self.callback)
        self.lib, self.rate = lib, rate


_ENGINE = _Engine()


def available(lang: str) -> bool:
    """Whether this server can speak ``lang`` (eSpeak NG loaded and a voice for it). Asked on
    every question page; a process's voices do not change, so the answer is kept."""
    if lang not in VOICES:
        return False
    known = _ENGINE.voices.get(lang)
    if known is not None:
        return known
    with _ENGINE.lock:
        _ENGINE.load()
        found = (
            _ENGINE.lib is not None
            and _ENGINE.lib.espeak_SetVoiceByName(VOICES[lang].encode()) == 0
        )
        _ENGINE.voices[lang] = bool(found)
        return bool(found)


def synthesise(text: str, lang: str) -> bytes:
    """``text`` spoken in ``lang``, as a mono 16-bit WAV file."""
    if lang not in VOICES:
        raise SpeechUnavailable(f"no voice for {lang!r}")
    with _ENGINE.lock:
        _ENGINE.load()
        lib = _ENGINE.lib
        if lib is None:
            raise SpeechUnavailable(_ENGINE.failed or "eSpeak NG not loaded")
        if lib.espeak_SetVoiceByName(VOICES[lang].encode()) != 0:
            raise SpeechUnavailable(f"eSpeak NG has no voice {VOICES[lang]!r}")
        _ENGINE.samples.clear()
        encoded = text.encode() + b"\0"
        status = lib.espeak_Synth(encoded, len(encoded), 0, 0, 0, _CHARS_UTF8, None, None)
        if status != 0 or lib.espeak_Synchronize() != 0:
            raise SpeechUnavailable(f"espeak_Synth failed ({status})")
        samples, rate = bytes(_ENGINE.samples), _ENGINE.rate
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples)
    return out.getvalue()
