"""Editing song.json by hand: what the user changed is kept, what depends on it is derived again."""

from troubadour.music.theory import parse_chord, parse_key
from troubadour.reconcile import reconcile
from troubadour.song import content_hash


def _edit_line(song, section, line, text):
    sections = [s.model_copy(deep=True) for s in song.lyrics.sections]
    sections[section].lines[line] = sections[section].lines[line].model_copy(update={"text": text})
    return song.model_copy(update={"lyrics": song.lyrics.model_copy(update={"sections": sections})})


def test_an_unedited_song_is_left_alone(full_song):
    again, notes = reconcile(full_song)
    assert notes == []
    assert again.melody == full_song.melody and again.parts == full_song.parts


def test_a_word_swap_with_the_same_syllables_keeps_the_tune(full_song):
    phrase = full_song.melody[0]
    line = full_song.lyrics.sections[phrase.section].lines[phrase.line]
    words = line.text.split()
    count = len(line.words[-1].syllables)
    replacement = {1: "road", 2: "river", 3: "Saturday"}.get(count, "road")
    swapped = " ".join(words[:-1] + [replacement])
    edited, notes = reconcile(_edit_line(full_song, phrase.section, phrase.line, swapped))
    assert edited.lyrics.sections[phrase.section].lines[phrase.line].words[-1].text == replacement
    assert edited.melody[0].notes == phrase.notes
    assert any("re-read" in n for n in notes)


def test_a_longer_line_gets_new_notes_for_every_syllable(full_song):
    phrase = full_song.melody[1]
    edited, notes = reconcile(_edit_line(full_song, phrase.section, phrase.line,
                                         "and the highway keeps on rolling underneath the evening sky"))
    line = edited.lyrics.sections[phrase.section].lines[phrase.line]
    new = edited.melody[1]
    assert sorted({n.syllable for n in new.notes}) == list(range(len(line.syllables)))
    assert new.notes[0].start_beat >= phrase.notes[0].start_beat - 2
    assert edited.melody[0] == full_song.melody[0] and edited.melody[2] == full_song.melody[2]


def test_a_chord_edit_re_arranges_the_band_but_not_the_melody(full_song):
    chords = list(full_song.chords)
    index = len(chords) // 2
    old = parse_chord(chords[index].symbol)
    chords[index] = chords[index].model_copy(update={"symbol": "F#m" if old.root != 6 else "Bm"})
    edited, notes = reconcile(full_song.model_copy(update={"chords": chords}))
    assert edited.melody == full_song.melody
    bass = next(p for p in edited.parts if p.name == "bass")
    start, end = chords[index].start_beat, chords[index].start_beat + chords[index].duration_beats
    roots = {n.pitch % 12 for n in bass.notes if start - 0.05 <= n.start_beat < min(end, start + 1)}  # humanised
    assert parse_chord(chords[index].symbol).root in roots
    assert any("re-arranged" in n for n in notes)


def test_a_hand_edited_part_survives_a_chord_edit(full_song):
    parts = list(full_song.parts)
    piano = next(i for i, p in enumerate(parts) if p.name == "piano")
    notes = list(parts[piano].notes)
    notes[0] = notes[0].model_copy(update={"velocity": 127})
    parts[piano] = parts[piano].model_copy(update={"notes": notes})
    chords = list(full_song.chords)
    chords[3] = chords[3].model_copy(update={"symbol": "Bm7"})
    edited, messages = reconcile(full_song.model_copy(update={"parts": parts, "chords": chords}))
    assert next(p for p in edited.parts if p.name == "piano").notes == notes
    assert any("kept your hand-edited piano" in m for m in messages)


def test_a_key_edit_transposes_everything_pitched(full_song):
    old = parse_key(full_song.key)
    target = "C" if old.tonic != 0 else "D"
    edited, notes = reconcile(full_song.model_copy(update={"key": target}))
    shift = (parse_key(target).tonic - old.tonic) % 12
    shift = shift - 12 if shift > 6 else shift
    assert [n.pitch for p in edited.melody for n in p.notes] == [n.pitch + shift for p in full_song.melody for n in p.notes]
    assert parse_chord(edited.chords[-1].symbol).root == parse_key(target).tonic
    drums = next(p for p in edited.parts if p.is_drums)
    assert drums.notes == next(p for p in full_song.parts if p.is_drums).notes
    again, more = reconcile(edited)
    assert more == [] and again.melody == edited.melody


def test_tempo_and_voice_edits_need_no_re_derivation(full_song):
    edited, notes = reconcile(full_song.model_copy(update={"tempo_bpm": 120.0, "voice": "bright_tenor"}))
    assert edited.melody == full_song.melody and content_hash(edited.parts) == content_hash(full_song.parts)
