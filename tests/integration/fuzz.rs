//! Property-based fuzzing of translate + update (owned by the fuzz/nesting work).
