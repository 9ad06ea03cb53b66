//! The order in which SQLite write transactions get the one write
//! connection.
//!
//! SQLite has a single writer. Callers that wait for it queue here, each in
//! one of two lines: `First` (the webhook intake, whose callers are holding
//! Meta's requests open) is always served before `Normal` (everything
//! else). Within a line, first come, first served. A waiter that gives up
//! (its future is dropped) loses its place without stalling the rest.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// Which line a writer waits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Line {
    First,
    Normal,
}

#[derive(Debug, Default)]
pub(crate) struct WriteGate {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    held: bool,
    first: VecDeque<oneshot::Sender<WritePass>>,
    normal: VecDeque<oneshot::Sender<WritePass>>,
}

/// The right to write, until dropped.
#[derive(Debug)]
pub(crate) struct WritePass {
    gate: Arc<WriteGate>,
    /// False for a pass that was never handed over (its waiter had gone):
    /// dropping it must not release the gate a second time.
    armed: bool,
}

impl WriteGate {
    /// Waits for the pass in `line`.
    pub(crate) async fn enter(self: &Arc<Self>, line: Line) -> WritePass {
        let waiting = {
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if !s.held {
                s.held = true;
                return self.pass();
            }
            let (tx, rx) = oneshot::channel();
            match line {
                Line::First => s.first.push_back(tx),
                Line::Normal => s.normal.push_back(tx),
            }
            rx
        };
        // The sender is only dropped with a pass in hand (see `release`), so
        // this cannot fail while the gate exists; a dropped receiver drops
        // a pass it was sent, which releases the gate to the next waiter.
        match waiting.await {
            Ok(pass) => pass,
            Err(_) => unreachable!("a write gate waiter is never dropped unserved"),
        }
    }

    fn pass(self: &Arc<Self>) -> WritePass {
        WritePass {
            gate: Arc::clone(self),
            armed: true,
        }
    }

    /// Hands the pass to the next waiter that is still there, or frees the
    /// gate.
    fn release(self: &Arc<Self>) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while let Some(next) = s.first.pop_front().or_else(|| s.normal.pop_front()) {
            match next.send(self.pass()) {
                Ok(()) => return,
                Err(mut unclaimed) => unclaimed.armed = false,
            }
        }
        s.held = false;
    }
}

impl Drop for WritePass {
    fn drop(&mut self) {
        if self.armed {
            self.gate.release();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn the_first_line_is_served_before_the_normal_one() {
        let gate = Arc::new(WriteGate::default());
        let held = gate.enter(Line::Normal).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut waiters = Vec::new();
        for (name, line) in [
            ("n1", Line::Normal),
            ("f1", Line::First),
            ("n2", Line::Normal),
            ("f2", Line::First),
        ] {
            let (gate, order) = (gate.clone(), order.clone());
            waiters.push(tokio::spawn(async move {
                let _pass = gate.enter(line).await;
                order.lock().unwrap().push(name);
            }));
            // Let each waiter queue before the next.
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        drop(held);
        for w in waiters {
            w.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), ["f1", "f2", "n1", "n2"]);
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_does_not_stall_the_others() {
        let gate = Arc::new(WriteGate::default());
        let held = gate.enter(Line::Normal).await;
        let quitter = tokio::spawn({
            let gate = gate.clone();
            async move { gate.enter(Line::First).await }
        });
        tokio::time::sleep(Duration::from_millis(5)).await;
        quitter.abort();
        let _ = quitter.await;
        let next = tokio::spawn({
            let gate = gate.clone();
            async move {
                let _pass = gate.enter(Line::Normal).await;
            }
        });
        drop(held);
        tokio::time::timeout(Duration::from_secs(5), next)
            .await
            .expect("the gate was handed to the waiter that gave up and never freed")
            .unwrap();
        // And it is free again afterwards.
        let _again = tokio::time::timeout(Duration::from_secs(5), gate.enter(Line::Normal))
            .await
            .expect("the gate stayed held");
    }
}
