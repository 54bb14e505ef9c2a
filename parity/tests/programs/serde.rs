// Configuration read from and written to JSON with the fallible
// collections, as a Wasmtime user writes it. Included by `tests/serde.rs`
// with either crate's imports.

use serde::{Deserialize, Serialize};

#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Instance {
    module: TryString,
    imports: TryVec<TryString>,
    memory_pages: TryVec<u32>,
    groups: TryVec<TryVec<u8>>,
}

fn string(text: &str) -> TryString {
    let mut s = TryString::new();
    s.push_str(text).unwrap();
    s
}

fn instance() -> Instance {
    let mut imports = TryVec::new();
    imports.push(string("env.memory")).unwrap();
    imports.push(string("wasi:io/\"streams\"")).unwrap();
    let mut memory_pages = TryVec::new();
    memory_pages.push(1).unwrap();
    memory_pages.push(65536).unwrap();
    let mut group = TryVec::new();
    group.push(7).unwrap();
    let mut groups = TryVec::new();
    groups.push(group).unwrap();
    groups.push(TryVec::new()).unwrap();
    Instance {
        module: string("hello ✓"),
        imports,
        memory_pages,
        groups,
    }
}

const JSON: &str = r#"{"module":"hello ✓","imports":["env.memory","wasi:io/\"streams\""],"memory_pages":[1,65536],"groups":[[7],[]]}"#;

#[test]
fn writes_the_json_std_collections_write() {
    assert_eq!(serde_json::to_string(&instance()).unwrap(), JSON);
    assert_eq!(serde_json::to_string(&string("")).unwrap(), r#""""#);
    assert_eq!(serde_json::to_string(&TryVec::<u8>::new()).unwrap(), "[]");
}

#[test]
fn reads_it_back() {
    let read: Instance = serde_json::from_str(JSON).unwrap();
    assert_eq!(read, instance());
    let pretty = serde_json::to_string_pretty(&read).unwrap();
    assert_eq!(serde_json::from_str::<Instance>(&pretty).unwrap(), read);
}

#[test]
fn strings_from_borrowed_escaped_and_owned_text() {
    let mut json = serde_json::Deserializer::from_str(r#""plain""#);
    let plain = TryString::deserialize(&mut json).unwrap();
    assert_eq!(&*plain, "plain");

    let escaped: TryString = serde_json::from_str(r#""tab\tand \u00e9""#).unwrap();
    assert_eq!(&*escaped, "tab\tand é");

    let value = serde_json::Value::String("owned".to_string());
    let owned: TryString = serde_json::from_value(value).unwrap();
    assert_eq!(&*owned, "owned");
}

#[test]
fn wrong_input_is_an_error() {
    assert!(serde_json::from_str::<TryVec<u8>>(r#""not a list""#).is_err());
    assert!(serde_json::from_str::<TryVec<u8>>("[1, 256]").is_err());
    assert!(serde_json::from_str::<TryString>("42").is_err());
    assert!(serde_json::from_str::<Instance>(r#"{"module":"m"}"#).is_err());
}
