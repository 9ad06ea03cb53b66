use super::*;

#[test]
fn names_are_unique_dotted_and_round_trip() {
    let mut seen = std::collections::HashSet::new();
    for name in Event::NAMES {
        assert!(seen.insert(*name), "{name} twice");
        assert!(name.contains('.') && !name.contains(' '), "{name}");
    }
    let e = Event::ConversationRead(ConversationRead {
        conversation_id: ConversationId::new(),
    });
    let back = Event::from_parts(e.name(), e.payload());
    assert_eq!(back, Ok(e));
    assert!(matches!(
        Event::from_parts("message.nope", Value::Null),
        Err(EventParseError::UnknownName(_))
    ));
}
