"""CMU Flite through its C library (Debian's ``libflite1``), as a speech source.

Flite's clustergen voices (``rms``, ``slt``, ``awb``) speak English text with
natural durations and clear consonants. Besides the audio we read what the
synthesiser already knows, so the singer need not estimate it again:

- the phone segments with their end times (``Segment`` relation);
- the F0 it used (channel 0 of ``param_track``, 5 ms frames, interpolated
  through unvoiced frames);
- the mixed-excitation voicing strengths of its five bands (``str_track``:
  0–1, 1–2, 2–4, 4–6, 6–8 kHz; 1 = fully periodic), a free aperiodicity.

Flite keeps global state, so every call holds one process-wide lock.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from dataclasses import dataclass

import numpy as np

from troubadour.errors import DependencyError

VOICES = ("rms", "slt", "awb", "kal16", "kal")
_LIBDIR_HINTS = ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib")


class _Wave(ctypes.Structure):
    _fields_ = [("type", ctypes.c_char_p), ("sample_rate", ctypes.c_int), ("num_samples", ctypes.c_int),
                ("num_channels", ctypes.c_int), ("samples", ctypes.POINTER(ctypes.c_short))]


class _Track(ctypes.Structure):
    _fields_ = [("type", ctypes.c_char_p), ("num_frames", ctypes.c_int), ("num_channels", ctypes.c_int),
                ("times", ctypes.POINTER(ctypes.c_float)), ("frames", ctypes.POINTER(ctypes.POINTER(ctypes.c_float)))]


class _Utterance(ctypes.Structure):
    _fields_ = [("features", ctypes.c_void_p), ("ffunctions", ctypes.c_void_p), ("relations", ctypes.c_void_p),
                ("ctx", ctypes.c_void_p)]


class _Voice(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("features", ctypes.c_void_p), ("ffunctions", ctypes.c_void_p),
                ("utt_init", ctypes.c_void_p)]


@dataclass(frozen=True)
class FliteSegment:
    """One phone as Flite spoke it: lower-case Flite phone name, times in seconds, word index (-1 for pauses)."""

    phone: str
    start_s: float
    end_s: float
    word: int


@dataclass
class FliteSpeech:
    """Flite's speech for a text.

    audio : float32 mono, shape (samples,), at ``sample_rate`` Hz (16 kHz for clustergen voices)
    segments : the phones in order, pauses included (``pau``)
    f0_hz : shape (frames,), the F0 Flite used, every ``frame_period_s`` (0 in pauses)
    strengths : shape (frames, 5) band voicing strengths in [0, 1], or None for diphone voices
    """

    audio: np.ndarray
    sample_rate: int
    segments: list[FliteSegment]
    f0_hz: np.ndarray | None
    strengths: np.ndarray | None
    frame_period_s: float = 0.005


def _load(name: str, mode: int = ctypes.RTLD_GLOBAL) -> ctypes.CDLL:
    candidates = [f"lib{name}.so.1", f"lib{name}.so"]
    found = ctypes.util.find_library(name)
    if found:
        candidates.insert(0, found)
    candidates += [f"{d}/lib{name}.so.1" for d in _LIBDIR_HINTS]
    for candidate in candidates:
        try:
            return ctypes.CDLL(candidate, mode=mode)
        except OSError:
            continue
    raise DependencyError(f"the Flite library lib{name} is missing; install Debian's `flite` and `libflite1` "
                          "(run `make setup`)")


class _Flite:
    def __init__(self) -> None:
        lib = _load("flite")
        _load("flite_usenglish")
        _load("flite_cmulex")
        self.lib = lib
        lib.flite_init.restype = ctypes.c_int
        lib.flite_synth_text.restype = ctypes.POINTER(_Utterance)
        lib.flite_synth_text.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
        lib.flite_synth_phones.restype = ctypes.POINTER(_Utterance)
        lib.flite_synth_phones.argtypes = [ctypes.c_char_p, ctypes.c_void_p]
        lib.utt_wave.restype = ctypes.POINTER(_Wave)
        lib.utt_wave.argtypes = [ctypes.c_void_p]
        lib.utt_relation.restype = ctypes.c_void_p
        lib.utt_relation.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.relation_head.restype = ctypes.c_void_p
        lib.relation_head.argtypes = [ctypes.c_void_p]
        lib.item_next.restype = ctypes.c_void_p
        lib.item_next.argtypes = [ctypes.c_void_p]
        lib.item_feat_string.restype = ctypes.c_char_p
        lib.item_feat_string.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.item_feat_float.restype = ctypes.c_float
        lib.item_feat_float.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.ffeature_string.restype = ctypes.c_char_p
        lib.ffeature_string.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.ffeature_float.restype = ctypes.c_float
        lib.ffeature_float.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.feat_present.restype = ctypes.c_int
        lib.feat_present.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.feat_set_float.restype = None
        lib.feat_set_float.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_float]
        lib.feat_val.restype = ctypes.c_void_p
        lib.feat_val.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.val_track.restype = ctypes.POINTER(_Track)
        lib.val_track.argtypes = [ctypes.c_void_p]
        lib.delete_utterance.argtypes = [ctypes.c_void_p]
        lib.delete_utterance.restype = None
        lib.flite_init()
        # Flite's mixed excitation draws noise from libc rand(): reseed before every
        # utterance so the same text always gives the same audio.
        self.libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        self.voices: dict[str, ctypes.c_void_p] = {}
        self._voice_libs: list[ctypes.CDLL] = []

    def voice(self, name: str):
        if name not in self.voices:
            if name not in VOICES:
                raise DependencyError(f"Flite has no voice {name!r}; choose one of: {', '.join(VOICES)}")
            vlib = _load(f"flite_cmu_us_{name}", mode=ctypes.RTLD_LOCAL)
            register = getattr(vlib, f"register_cmu_us_{name}")
            register.restype = ctypes.POINTER(_Voice)
            register.argtypes = [ctypes.c_char_p]
            pointer = register(None)
            if not pointer:
                raise DependencyError(f"Flite voice {name!r} failed to load")
            self._voice_libs.append(vlib)
            self.voices[name] = pointer
        return self.voices[name]

    def _track(self, utt, name: bytes) -> np.ndarray | None:
        features = utt.contents.features
        if not self.lib.feat_present(features, name):
            return None
        track = self.lib.val_track(self.lib.feat_val(features, name)).contents
        rows, channels = track.num_frames, track.num_channels
        if rows <= 0:
            return None
        # frames is float**, one allocation per row. They are usually evenly spaced in memory:
        # then one strided view reads them all; otherwise row by row.
        pointers = np.ctypeslib.as_array(ctypes.cast(track.frames, ctypes.POINTER(ctypes.c_size_t)), shape=(rows,))
        strides = np.diff(pointers.astype(np.int64))
        if rows > 1 and np.all(strides == strides[0]) and strides[0] >= 4 * channels:
            base = ctypes.cast(int(pointers[0]), ctypes.POINTER(ctypes.c_float))
            flat = np.ctypeslib.as_array(base, shape=(int(strides[0]) // 4 * (rows - 1) + channels,))
            return np.lib.stride_tricks.as_strided(flat, (rows, channels), (int(strides[0]), 4)).copy()
        out = np.empty((rows, channels), np.float32)
        for i in range(rows):
            out[i] = np.ctypeslib.as_array(track.frames[i], shape=(channels,))
        return out

    def speak(self, text: str, voice: str, *, phones: bool = False, duration_stretch: float = 1.0) -> FliteSpeech:
        synth = self.lib.flite_synth_phones if phones else self.lib.flite_synth_text
        vox = self.voice(voice)
        self.lib.feat_set_float(vox.contents.features, b"duration_stretch", float(duration_stretch))
        self.libc.srand(1)
        utt = synth(text.encode("ascii", "replace"), vox)
        if not utt:
            raise DependencyError(f"Flite failed to speak {text!r}")
        try:
            wave = self.lib.utt_wave(utt).contents
            audio = np.ctypeslib.as_array(wave.samples, shape=(wave.num_samples,)).astype(np.float32) / 32768.0
            sample_rate = int(wave.sample_rate)
            segments: list[FliteSegment] = []
            item = self.lib.relation_head(self.lib.utt_relation(utt, b"Segment"))
            start = 0.0
            while item:
                phone = self.lib.item_feat_string(item, b"name").decode()
                end = float(self.lib.item_feat_float(item, b"end"))
                segments.append(FliteSegment(phone, start, end, -1))
                start = end
                item = self.lib.item_next(item)
            segments = _number_words(self, utt, segments)
            params = self._track(utt, b"param_track")
            strengths = self._track(utt, b"str_track")
        finally:
            self.lib.delete_utterance(utt)
        f0 = params[:, 0].astype(np.float64) if params is not None else None
        return FliteSpeech(audio, sample_rate, segments, f0,
                           strengths.astype(np.float64) if strengths is not None else None)


def _number_words(flite: _Flite, utt, segments: list[FliteSegment]) -> list[FliteSegment]:
    """Give each segment the index of its word, walking the Word relation in order."""
    lib = flite.lib
    word_ends: list[float] = []
    item = lib.relation_head(lib.utt_relation(utt, b"Word"))
    while item:
        # A word ends where its last syllable's last segment ends.
        word_ends.append(float(lib.ffeature_float(item, b"R:SylStructure.daughtern.daughtern.end")))
        item = lib.item_next(item)
    out = []
    index = 0
    for seg in segments:
        if seg.phone == "pau":
            out.append(FliteSegment(seg.phone, seg.start_s, seg.end_s, -1))
            continue
        while index < len(word_ends) - 1 and seg.end_s > word_ends[index] + 1e-4:
            index += 1
        out.append(FliteSegment(seg.phone, seg.start_s, seg.end_s, index))
    return out


_flite: _Flite | None = None
_lock = threading.Lock()


def available() -> bool:
    """True when the Flite library can be loaded."""
    try:
        with _lock:
            _get()
        return True
    except DependencyError:
        return False


def _get() -> _Flite:
    global _flite
    if _flite is None:
        _flite = _Flite()
    return _flite


def speak(text: str, *, voice: str = "rms", duration_stretch: float = 1.0) -> FliteSpeech:
    """Speak plain English text with a Flite voice; see :class:`FliteSpeech`.

    duration_stretch : > 1 speaks slower (Flite's own duration model, every phone longer)
    """
    with _lock:
        return _get().speak(text, voice, duration_stretch=duration_stretch)


def speak_phones(phones: str, *, voice: str = "rms", duration_stretch: float = 1.0) -> FliteSpeech:
    """Speak Flite phone names ("hh ah l ow"), bypassing its lexicon; pauses are added at both ends."""
    with _lock:
        return _get().speak(f"pau {phones} pau", voice, phones=True, duration_stretch=duration_stretch)
