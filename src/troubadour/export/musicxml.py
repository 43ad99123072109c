"""Lead sheet export: the melody with lyrics and chord symbols as MusicXML 4.0 (partwise).

Notation is quantised to sixteenths; notes are split at barlines and chord
changes and tied; lyrics carry syllabic begin/middle/end/single.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from troubadour import __version__
from troubadour.music.theory import Key, parse_chord, parse_key
from troubadour.export.notation import DIVISIONS, Event, lead_sheet_events, notated
from troubadour.song import Song

_TYPES = {16: ("whole", 0), 12: ("half", 1), 8: ("half", 0), 6: ("quarter", 1), 4: ("quarter", 0),
          3: ("eighth", 1), 2: ("eighth", 0), 1: ("16th", 0)}
_KIND = {"": "major", "m": "minor", "5": "power", "7": "dominant", "maj7": "major-seventh", "m7": "minor-seventh",
         "6": "major-sixth", "m6": "minor-sixth", "9": "dominant-ninth", "m9": "minor-ninth", "add9": "major",
         "madd9": "minor", "sus2": "suspended-second", "sus4": "suspended-fourth", "7sus4": "suspended-fourth",
         "dim": "diminished", "dim7": "diminished-seventh", "m7b5": "half-diminished", "aug": "augmented"}
_STEPS_SHARP = [("C", 0), ("C", 1), ("D", 0), ("D", 1), ("E", 0), ("F", 0), ("F", 1), ("G", 0), ("G", 1), ("A", 0), ("A", 1), ("B", 0)]
_STEPS_FLAT = [("C", 0), ("D", -1), ("D", 0), ("E", -1), ("E", 0), ("F", 0), ("G", -1), ("G", 0), ("A", -1), ("A", 0), ("B", -1), ("B", 0)]


def _pitch(element: ET.Element, pitch: int, key: Key) -> None:
    step, alter = (_STEPS_FLAT if key.uses_flats else _STEPS_SHARP)[pitch % 12]
    node = ET.SubElement(element, "pitch")
    ET.SubElement(node, "step").text = step
    if alter:
        ET.SubElement(node, "alter").text = str(alter)
    ET.SubElement(node, "octave").text = str(pitch // 12 - 1)


def _harmony(symbol: str, key: Key) -> ET.Element:
    info = parse_chord(symbol)
    element = ET.Element("harmony")
    root = ET.SubElement(element, "root")
    step, alter = (_STEPS_FLAT if key.uses_flats else _STEPS_SHARP)[info.root]
    ET.SubElement(root, "root-step").text = step
    if alter:
        ET.SubElement(root, "root-alter").text = str(alter)
    # The text attribute is how the kind is printed; an empty one ("major") makes some
    # engravers (musicxml2ly) print a power chord, so a plain major triad has none.
    kind = ET.SubElement(element, "kind", text=info.quality) if info.quality else ET.SubElement(element, "kind")
    kind.text = _KIND[info.quality]
    if info.bass != info.root:
        bass = ET.SubElement(element, "bass")
        step, alter = (_STEPS_FLAT if key.uses_flats else _STEPS_SHARP)[info.bass]
        ET.SubElement(bass, "bass-step").text = step
        if alter:
            ET.SubElement(bass, "bass-alter").text = str(alter)
    if info.quality in ("add9", "madd9", "7sus4"):
        degree = ET.SubElement(element, "degree")
        ET.SubElement(degree, "degree-value").text = "9" if "9" in info.quality else "7"
        ET.SubElement(degree, "degree-alter").text = "0" if "9" in info.quality else "-1"
        ET.SubElement(degree, "degree-type").text = "add"
    return element


def song_to_musicxml(song: Song) -> bytes:
    key = parse_key(song.key)
    beats, unit = song.time_signature
    chord_starts = {int(round(c.start_beat * DIVISIONS)): c.symbol for c in song.chords}
    measure_len, total, events = lead_sheet_events(song, cuts=list(chord_starts))

    score = ET.Element("score-partwise", version="4.0")
    ET.SubElement(ET.SubElement(score, "work"), "work-title").text = song.title or "Untitled"
    ident = ET.SubElement(score, "identification")
    ET.SubElement(ident, "creator", type="composer").text = f"{song.artist} (AI-generated with troubadour)"
    encoding = ET.SubElement(ident, "encoding")
    ET.SubElement(encoding, "software").text = f"troubadour {__version__}"
    part_list = ET.SubElement(score, "part-list")
    score_part = ET.SubElement(part_list, "score-part", id="P1")
    ET.SubElement(score_part, "part-name").text = "Vocals"
    part = ET.SubElement(score, "part", id="P1")
    low_voice = any(n.pitch < 57 for p in song.melody for n in p.notes)

    measures: dict[int, list[Event]] = {}
    for event in events:
        measures.setdefault(event.start // measure_len, []).append(event)
    for number in range(max(1, total // measure_len)):
        measure = ET.SubElement(part, "measure", number=str(number + 1))
        if number == 0:
            attributes = ET.SubElement(measure, "attributes")
            ET.SubElement(attributes, "divisions").text = str(DIVISIONS)
            key_el = ET.SubElement(attributes, "key")
            ET.SubElement(key_el, "fifths").text = str(key.fifths)
            ET.SubElement(key_el, "mode").text = key.mode
            time = ET.SubElement(attributes, "time")
            ET.SubElement(time, "beats").text = str(beats)
            ET.SubElement(time, "beat-type").text = str(unit)
            clef = ET.SubElement(attributes, "clef")
            ET.SubElement(clef, "sign").text = "G"
            ET.SubElement(clef, "line").text = "2"
            if low_voice:
                ET.SubElement(clef, "clef-octave-change").text = "-1"
            direction = ET.SubElement(measure, "direction", placement="above")
            ET.SubElement(ET.SubElement(direction, "direction-type"), "metronome").extend(
                [_text("beat-unit", "quarter"), _text("per-minute", f"{song.tempo_bpm:g}")])
            ET.SubElement(direction, "sound", tempo=f"{song.tempo_bpm:g}")
        content = measures.get(number, [])
        if all(e.pitch is None for e in content) and len(content) <= 1 and number * measure_len not in chord_starts:
            note = ET.SubElement(measure, "note")
            ET.SubElement(note, "rest", measure="yes")
            ET.SubElement(note, "duration").text = str(measure_len)
            continue
        for event in content:
            if event.start in chord_starts:
                measure.append(_harmony(chord_starts[event.start], key))
            _write_event(measure, event, key)
    ET.indent(score, space=" ")
    header = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
              b'<!DOCTYPE score-partwise PUBLIC "-//Recordare//DTD MusicXML 4.0 Partwise//EN" '
              b'"http://www.musicxml.org/dtds/partwise.dtd">\n')
    return header + ET.tostring(score, encoding="utf-8")


def _text(tag: str, text: str) -> ET.Element:
    element = ET.Element(tag)
    element.text = text
    return element


def _write_event(measure: ET.Element, event: Event, key: Key) -> None:
    pieces = notated(event.length)
    for k, length in enumerate(pieces):
        note = ET.SubElement(measure, "note")
        if event.pitch is None:
            ET.SubElement(note, "rest")
        else:
            _pitch(note, event.pitch, key)
        ET.SubElement(note, "duration").text = str(length)
        tie_stop = event.pitch is not None and (k > 0 or event.tie_stop)
        tie_start = event.pitch is not None and (k < len(pieces) - 1 or event.tie_start)
        if tie_stop:
            ET.SubElement(note, "tie", type="stop")
        if tie_start:
            ET.SubElement(note, "tie", type="start")
        kind, dots = _TYPES[length]
        ET.SubElement(note, "type").text = kind
        for _ in range(dots):
            ET.SubElement(note, "dot")
        if tie_stop or tie_start:
            notations = ET.SubElement(note, "notations")
            if tie_stop:
                ET.SubElement(notations, "tied", type="stop")
            if tie_start:
                ET.SubElement(notations, "tied", type="start")
        if k == 0 and event.lyric is not None:
            lyric = ET.SubElement(note, "lyric", number="1")
            ET.SubElement(lyric, "syllabic").text = event.lyric[0]
            ET.SubElement(lyric, "text").text = event.lyric[1]
