"""Lyric sheets shared by the songwriter tests.

(Imported by the test modules of this folder; not a conftest, so its name cannot clash.)
"""

# Two verses and a chorus with the title, every line ending rhymed in its section.
RIVER_TOWN = """[Verse 1]
The porch light burns when the sun goes down
I drive my truck to the edge of town
The river runs like a rolling stone
I walk the tracks on the long way home

[Chorus]
River Town, you never let me go
River Town, the only home I know
I hear you calling in the evening glow
River Town, you never let me go

[Verse 2]
Now the mill is quiet and the gates are closed
I'm back again where the river flows
The church bell rings on a Sunday morn
I find the field where I was born
"""

RIVER_TOWN_CHORUS = """
[Chorus]
River Town, you never let me go
River Town, the only home I know
I hear you calling in the evening glow
River Town, you never let me go
"""
