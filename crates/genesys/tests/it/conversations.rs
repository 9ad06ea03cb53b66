//! Conversations: participants, the agent disconnecting, and a new
//! conversation for the customer's next message.

use genesys::GenesysError;

use crate::common::{CUSTOMER, Env, text_from};

#[tokio::test]
async fn an_ended_conversation_is_replaced_by_a_new_one() {
    let env = Env::start().await;
    let s = env.session();
    let integration = env.integration("https://bridge.example.com/a").await.id;
    let first = env
        .client
        .send_message(
            &s,
            &integration,
            &text_from(CUSTOMER, Some("wamid.1"), "Hi"),
        )
        .await
        .unwrap()
        .conversation_id
        .unwrap();

    let open = env.client.get_conversation(&s, &first).await.unwrap();
    assert_eq!(open.id, first);
    assert_eq!(open.participants.len(), 2);
    assert!(!open.ended());
    assert!(
        open.participants
            .iter()
            .all(|p| p.state.as_deref() == Some("connected"))
    );

    env.sandbox.end_conversation(&first);
    let closed = env.client.get_conversation(&s, &first).await.unwrap();
    assert!(closed.ended());
    let purposes: Vec<_> = closed
        .participants
        .iter()
        .filter_map(|p| p.purpose.as_deref())
        .collect();
    assert_eq!(purposes, ["customer", "agent"]);

    let second = env
        .client
        .send_message(
            &s,
            &integration,
            &text_from(CUSTOMER, Some("wamid.2"), "Back again"),
        )
        .await
        .unwrap()
        .conversation_id
        .unwrap();
    assert_ne!(second, first);
    assert_eq!(
        env.sandbox.conversation_of(&integration, CUSTOMER),
        Some(second.clone())
    );
    assert!(
        !env.client
            .get_conversation(&s, &second)
            .await
            .unwrap()
            .ended()
    );
    assert!(
        env.client
            .get_conversation(&s, &first)
            .await
            .unwrap()
            .ended()
    );
}

#[tokio::test]
async fn an_unknown_conversation_is_404() {
    let env = Env::start().await;
    let err = env
        .client
        .get_conversation(&env.session(), "d06cb41e-f938-4dcf-b823-c8af1a39d7e5")
        .await
        .unwrap_err();
    assert!(
        matches!(err, GenesysError::Status { status: 404, .. }),
        "{err:?}"
    );
    assert_eq!(env.sandbox.conversation_of("x", CUSTOMER), None);
}
