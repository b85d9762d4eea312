//! Hostile input through a real server: deeply nested stanzas (owned by the fuzz/nesting work).
