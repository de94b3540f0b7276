//! Prepares the embedded questionnaire when the engine is built, so that a start does less:
//!
//! - its SHA-256 (records name the questionnaire by it), instead of hashing half a megabyte at
//!   every start;
//! - a compact copy without the test cases, which is what screening and scoring read: the test
//!   cases are run by the test suite and by `validate`, which read the file as it is.
//!
//! Tests check both against the embedded file.

// A build script talks to cargo on standard output; nothing here reaches a terminal.
#![allow(clippy::disallowed_macros)]

use sha2::Digest;

fn main() {
    let path = "../../questionnaires/dry-needling.json";
    println!("cargo::rerun-if-changed={path}");
    let bytes = std::fs::read(path).expect("the embedded questionnaire can be read");
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let hex: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(out.join("embedded.sha256"), hex).expect("the build folder is writable");
    // A file that is not a JSON object is left as it is: loading it reports what is wrong.
    let compact = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut file)) => {
            file.shift_remove("tests");
            serde_json::Value::Object(file).to_string()
        }
        _ => String::from_utf8_lossy(&bytes).into_owned(),
    };
    std::fs::write(out.join("screening.json"), compact).expect("the build folder is writable");
}
