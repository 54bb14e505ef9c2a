//! `{:?}` output without the lines the feature `location` adds, for tests
//! that compare it with anyhow's: with the feature, every line that is only
//! `at file:line:column` under a message is dropped; without it, the text
//! is returned as it is, so the comparison stays byte for byte.

#![allow(dead_code)]

pub fn without_locations(text: &str) -> String {
    if !cfg!(feature = "location") {
        return text.to_owned();
    }
    text.split('\n')
        .filter(|line| !is_location_line(line))
        .collect::<Vec<_>>()
        .join("\n")
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
