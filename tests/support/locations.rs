//! Locations in tests: `{:?}` output without the lines the feature
//! `location` adds, for tests that compare it with anyhow's, and the
//! location a call in a test's own source is expected to record.

#![allow(dead_code)]

/// A location as a comparable value: file, line, column.
pub type Spot = (&'static str, u32, u32);

/// Where `needle` starts in `source`, the text of the test file `file`. It
/// must occur once outside the lines that call `spot` (whose own argument
/// holds it). Method calls are located at the method's name, `?` at the
/// start of its expression, macros at their name: start the needle there.
pub fn spot_in(source: &str, file: &'static str, needle: &str) -> Spot {
    let mut found = source
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.contains("spot("))
        .filter_map(|(n, line)| line.find(needle).map(|column| (n, column)));
    let (line, column) = found
        .next()
        .unwrap_or_else(|| panic!("{needle:?} not found"));
    assert!(found.next().is_none(), "{needle:?} occurs more than once");
    (file, line as u32 + 1, column as u32 + 1)
}

/// With the feature `location`, every line that is only `at file:line:column`
/// under a message is dropped; without it, the text is returned as it is, so
/// a comparison stays byte for byte.
pub fn without_locations(text: &str) -> String {
    if !cfg!(feature = "location") {
        return text.to_owned();
    }
    let mut kept: Vec<String> = Vec::new();
    for line in text.split('\n') {
        // The last location of an error printed inside another's `Debug`
        // (`Error { context: .., source: .. }`) ends that struct: ` }`.
        match line
            .strip_suffix(" }")
            .filter(|inner| is_location_line(inner))
        {
            Some(_) => match kept.last_mut() {
                Some(previous) => previous.push_str(" }"),
                None => kept.push(" }".to_owned()),
            },
            None if is_location_line(line) => {}
            None => kept.push(line.to_owned()),
        }
    }
    kept.join("\n")
}

/// `    at src/x.rs:10:5`: indented, then `at `, a path and two numbers.
pub fn is_location_line(line: &str) -> bool {
    let trimmed = line.trim_start();
    let Some(location) = trimmed.strip_prefix("at ") else {
        return false;
    };
    let mut parts = location.rsplitn(3, ':');
    let numbers = [parts.next(), parts.next()];
    trimmed.len() < line.len()
        && numbers
            .iter()
            .all(|n| n.is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())))
        && parts.next().is_some_and(|file| file.ends_with(".rs"))
}
