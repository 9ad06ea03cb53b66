//! A small known world of contacts, written straight to the store so every
//! rule kind has contacts on both sides of it: tags, attributes, consent,
//! messages at known times, deals, numbers and creation dates.

use domain::{ChannelId, ContactId, MessageId, PipelineId, StageId, TagId, TenantId, Timestamp};
use serde_json::{Map, Value, json};
use store::channels::{AppKind, NewChannel};
use store::crm::attributes::{AttributeDef, AttributeKind};
use store::crm::deals::{Deal, DealNames, DealStatus, Pipeline, Stage};
use store::crm::tags::Tag;
use store::inbox::{NewContact, NewInbound, NewOutbound};
use testkit::{TestApp, TestTenant};

pub const DAY: i64 = 86_400;

/// The ids the tests name in rules, and each contact's WhatsApp id.
pub struct World {
    pub vip: TagId,
    pub cold: TagId,
    pub proposal: StageId,
    pub lead: StageId,
    pub number_a: ChannelId,
    pub number_b: ChannelId,
    pub now: Timestamp,
    pub contacts: Vec<(&'static str, ContactId)>,
}

impl World {
    /// The name of the contact whose WhatsApp id is `wa_id`.
    pub fn name_of_wa(wa_id: &str) -> &'static str {
        match wa_id {
            "351910000001" => "Ana",
            "351910000002" => "Bruno",
            "351910000003" => "Carla",
            "351910000004" => "Duarte",
            _ => "someone else",
        }
    }

    pub fn ago(&self, days: i64) -> Timestamp {
        self.now.plus_seconds(-days * DAY)
    }
}

fn attrs(v: Value) -> Map<String, Value> {
    v.as_object().cloned().unwrap_or_default()
}

fn def(key: &str, kind: AttributeKind, options: &[&str], now: Timestamp) -> AttributeDef {
    AttributeDef {
        id: domain::AttributeId::new(),
        key: key.into(),
        label: key.to_uppercase(),
        kind,
        options: options.iter().map(|o| (*o).to_owned()).collect(),
        created_at: now,
        updated_at: now,
    }
}

/// Ana: VIP, opted in, gold, wrote 2 days ago, an open deal in Proposal,
/// on number A, created 100 days ago. Bruno: VIP, opted out, silver, wrote
/// 20 days ago, a won deal in Proposal, on number B, created 40 days ago.
/// Carla: gold (score 7.5), no messages, an open deal in Lead, created 5
/// days ago. Duarte: Cold, only written to 60 days ago, on number A,
/// created 1 day ago.
pub async fn build(app: &TestApp, t: &TestTenant) -> World {
    let tenant: TenantId = t.id.parse().unwrap();
    let now = app.state.now();
    let ago = |d: i64| now.plus_seconds(-d * DAY);
    let mut tx = app.state.store.tenant(tenant).await.unwrap();
    for d in [
        def(
            "plan",
            AttributeKind::Choice,
            &["gold", "silver", "bronze"],
            now,
        ),
        def("score", AttributeKind::Number, &[], now),
        def("vip_since", AttributeKind::Date, &[], now),
        def("newsletter", AttributeKind::Boolean, &[], now),
        def("city", AttributeKind::Text, &[], now),
    ] {
        tx.insert_contact_attribute(&d).await.unwrap();
    }
    let tag = |name: &str| Tag {
        id: TagId::new(),
        name: name.into(),
        colour: "#aa0000".into(),
        created_at: now,
        updated_at: now,
    };
    let (vip, cold) = (tag("VIP"), tag("Cold"));
    tx.insert_tag(&vip).await.unwrap();
    tx.insert_tag(&cold).await.unwrap();
    let mut numbers = Vec::new();
    for (pnid, display) in [("1065400001", "+1 555 0001"), ("1065400002", "+1 555 0002")] {
        let c = tx
            .insert_channel(NewChannel {
                phone_number_id: pnid,
                waba_id: "waba-segments",
                display_phone_number: display,
                verified_name: None,
                access_token_sealed: "sealed",
                app_kind: AppKind::Platform,
                app_secret_sealed: None,
                webhook_token_hash: None,
                webhook_token_sealed: None,
                verify_token_sealed: None,
                rate_limit: 80,
                now,
            })
            .await
            .unwrap();
        numbers.push(c.id);
    }
    let pipeline = PipelineId::new();
    let stage = |name: &str, position| Stage {
        id: StageId::new(),
        pipeline_id: pipeline,
        name: name.into(),
        position,
        created_at: now,
        updated_at: now,
    };
    let (lead, proposal) = (stage("Lead", 0), stage("Proposal", 1));
    tx.insert_pipeline(&Pipeline {
        id: pipeline,
        name: "Sales".into(),
        stages: vec![lead.clone(), proposal.clone()],
        created_at: now,
        updated_at: now,
    })
    .await
    .unwrap();

    let people = [
        (
            "Ana",
            "351910000001",
            100,
            json!({"plan": "gold", "score": 9, "vip_since": "2025-06-01", "newsletter": true, "city": "Lisbon"}),
        ),
        (
            "Bruno",
            "351910000002",
            40,
            json!({"plan": "silver", "score": 4, "city": "Porto"}),
        ),
        (
            "Carla",
            "351910000003",
            5,
            json!({"plan": "gold", "score": 7.5, "newsletter": false, "city": "lisbon"}),
        ),
        ("Duarte", "351910000004", 1, json!({})),
    ];
    let mut contacts = Vec::new();
    for (name, wa_id, created, values) in people {
        let a = attrs(values);
        let c = tx
            .insert_manual_contact(
                &NewContact {
                    wa_id,
                    name: Some(name),
                    email: None,
                    language: None,
                    attributes: &a,
                },
                ago(created),
            )
            .await
            .unwrap()
            .unwrap();
        contacts.push((name, c.id));
    }
    let id = |n: usize| contacts[n].1;
    tx.tag_contact(id(0), vip.id, now).await.unwrap();
    tx.tag_contact(id(1), vip.id, now).await.unwrap();
    tx.tag_contact(id(3), cold.id, now).await.unwrap();
    tx.set_contact_opt_out(id(1), Some(ago(3)), now)
        .await
        .unwrap();

    let body = json!({"text": {"body": "hello"}});
    let ins = [
        (0, 2, numbers[0], "wamid.seg.1"),
        (1, 20, numbers[1], "wamid.seg.2"),
    ];
    for (n, days, number, wamid) in ins {
        let (conv, _) = tx
            .upsert_conversation(id(n), number, ago(days))
            .await
            .unwrap();
        tx.insert_inbound_message(NewInbound {
            conversation: conv.id,
            channel: number,
            wamid,
            kind: "text",
            content: &body,
            reply_to_wamid: None,
            provider_time: ago(days),
            now: ago(days),
        })
        .await
        .unwrap();
        tx.note_inbound(conv.id, ago(days), ago(days))
            .await
            .unwrap();
    }
    for (n, days, number) in [(0, 1, numbers[0]), (3, 60, numbers[0])] {
        let (conv, _) = tx
            .upsert_conversation(id(n), number, ago(days))
            .await
            .unwrap();
        tx.insert_outbound_message(NewOutbound {
            id: MessageId::new(),
            conversation: conv.id,
            channel: number,
            kind: "text",
            content: &body,
            reply_to_wamid: None,
            sent_by: "system",
            now: ago(days),
        })
        .await
        .unwrap();
    }
    for (n, stage, status) in [
        (0, proposal.id, DealStatus::Open),
        (1, proposal.id, DealStatus::Won),
        (2, lead.id, DealStatus::Open),
    ] {
        tx.insert_deal(&Deal {
            id: domain::DealId::new(),
            pipeline_id: pipeline,
            stage_id: stage,
            contact_id: Some(id(n)),
            owner_id: None,
            title: format!("Deal {n}"),
            value_minor: 1000,
            currency: "EUR".into(),
            expected_close_on: None,
            status,
            lost_reason: None,
            closed_at: None,
            created_at: now,
            updated_at: now,
            names: DealNames::default(),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    World {
        vip: vip.id,
        cold: cold.id,
        proposal: proposal.id,
        lead: lead.id,
        number_a: numbers[0],
        number_b: numbers[1],
        now,
        contacts,
    }
}
