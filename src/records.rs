//! Saved screenings (to be built): the JSON record and the handover text, written only when
//! asked, to files created 0600 that never overwrite an existing file.
