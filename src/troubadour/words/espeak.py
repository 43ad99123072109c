"""espeak-ng through its C library (shipped by the ``espeakng-loader`` wheel).

Two services: phonemising words no dictionary has, and speaking a phoneme
string with the time at which each phoneme starts (the singer's source). The
library keeps global state, so every call holds one process-wide lock.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from troubadour.errors import DependencyError

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_INITIALIZE_PHONEME_EVENTS = 0x0001
_INITIALIZE_DONT_EXIT = 0x8000
_CHARS_UTF8 = 1
_PHONEMES_INPUT = 0x100  # espeakPHONEMES: allow [[phoneme]] input
_EVENT_END = 5
_EVENT_MSG_TERMINATED = 6
_EVENT_PHONEME = 7
_PARAM_RATE, _PARAM_PITCH, _PARAM_RANGE, _PARAM_WORDGAP = 1, 3, 4, 7


class _EventId(ctypes.Union):
    _fields_ = [("number", ctypes.c_int), ("name", ctypes.c_char_p), ("string", ctypes.c_char * 8)]


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", _EventId),
    ]


_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event))


@dataclass
class Speech:
    """Speech audio with phoneme onsets.

    audio : float32 mono, shape (samples,)
    sample_rate : Hz
    phonemes : list of (espeak mnemonic, start sample)
    """

    audio: np.ndarray
    sample_rate: int
    phonemes: list[tuple[str, int]]


class _Engine:
    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError:  # pragma: no cover - a core dependency
            raise DependencyError("espeak-ng is missing; run `make setup` (pip package espeakng-loader)") from None
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        data_path = Path(espeakng_loader.get_data_path())
        lib = self.lib
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                     ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.c_int]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        # espeak-ng wants the folder that *contains* espeak-ng-data.
        rate = lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(data_path.parent).encode(),
                                     _INITIALIZE_PHONEME_EVENTS | _INITIALIZE_DONT_EXIT)
        if rate <= 0:
            raise DependencyError(f"espeak-ng failed to start (data at {data_path}); reinstall with `make setup`")
        self.sample_rate = rate
        self._chunks: list[np.ndarray] = []
        self._events: list[tuple[str, int]] = []
        self._callback = _CALLBACK(self._on_audio)  # keep a reference: C holds the pointer
        lib.espeak_SetSynthCallback(self._callback)
        self._voice: str | None = None

    def _on_audio(self, wav, n_samples, events) -> int:
        if n_samples > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n_samples,)).copy())
        i = 0
        while events[i].type not in (0,):  # LIST_TERMINATED
            event = events[i]
            if event.type == _EVENT_PHONEME:
                self._events.append((event.id.string.decode("ascii", "replace"), int(event.sample)))
            i += 1
        return 0

    def set_voice(self, name: str) -> None:
        if name != self._voice:
            if self.lib.espeak_SetVoiceByName(name.encode()) != 0:
                raise DependencyError(f"espeak-ng has no voice {name!r}")
            self._voice = name

    def speak(self, text: str, *, voice: str, rate_wpm: int, pitch: int, pitch_range: int) -> Speech:
        self.set_voice(voice)
        self.lib.espeak_SetParameter(_PARAM_RATE, rate_wpm, 0)
        self.lib.espeak_SetParameter(_PARAM_PITCH, pitch, 0)
        self.lib.espeak_SetParameter(_PARAM_RANGE, pitch_range, 0)
        self._chunks, self._events = [], []
        data = text.encode("utf-8") + b"\0"
        buffer = ctypes.create_string_buffer(data)
        self.lib.espeak_Synth(buffer, len(data), 0, 0, 0, _CHARS_UTF8 | _PHONEMES_INPUT, None, None)
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        return Speech(audio.astype(np.float32) / 32768.0, self.sample_rate, list(self._events))

    def phonemise(self, text: str, *, voice: str) -> str:
        """espeak's own phonemes (ASCII mnemonics with stress marks) for a text."""
        self.set_voice(voice)
        encoded = ctypes.c_char_p(text.encode("utf-8"))
        pointer = ctypes.pointer(encoded)
        pieces = []
        while pointer.contents.value:
            result = self.lib.espeak_TextToPhonemes(pointer, _CHARS_UTF8, 0)
            if result is None:
                break
            pieces.append(result.decode("utf-8", "replace"))
        return " ".join(pieces)


_engine: _Engine | None = None
_lock = threading.Lock()


def _get() -> _Engine:
    global _engine
    if _engine is None:
        _engine = _Engine()
    return _engine


def speak_phonemes(mnemonics: str, *, voice: str = "en-us", rate_wpm: int = 150, pitch: int = 40,
                   pitch_range: int = 20) -> Speech:
    """Speak an espeak phoneme string (``[[...]]`` input) and report phoneme onsets."""
    with _lock:
        return _get().speak(f"[[{mnemonics}]]", voice=voice, rate_wpm=rate_wpm, pitch=pitch, pitch_range=pitch_range)


def speak_text(text: str, *, voice: str = "en-us", rate_wpm: int = 150, pitch: int = 40, pitch_range: int = 50) -> Speech:
    with _lock:
        return _get().speak(text, voice=voice, rate_wpm=rate_wpm, pitch=pitch, pitch_range=pitch_range)


def phonemise(text: str, *, voice: str = "en-us") -> str:
    with _lock:
        return _get().phonemise(text, voice=voice)
