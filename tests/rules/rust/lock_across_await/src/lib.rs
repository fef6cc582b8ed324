//! Guards of std and parking_lot locks held, or not, across `.await`.
use std::sync::{Arc, Mutex, RwLock};

use parking_lot::Mutex as PlMutex;

pub mod cache;

pub struct State {
    hits: Mutex<Vec<u64>>,
    config: RwLock<String>,
    fast: PlMutex<u64>,
    conn: tokio::sync::Mutex<u64>,
}

async fn save(_n: usize) {}

pub async fn bound_guard(state: &State) {
    let mut hits = state.hits.lock().unwrap(); // optimus-expect: lock-across-await
    hits.push(1);
    save(hits.len()).await;
}

pub async fn expect_guard(state: Arc<State>) {
    let _guard = state.hits.lock().expect("poisoned"); // optimus-expect: lock-across-await
    save(0).await;
}

pub async fn poison_tolerant(state: &State) {
    // optimus-expect-next: lock-across-await
    let hits = state.hits.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    save(hits.len()).await;
}

pub async fn dropped_first(state: &State) {
    let hits = state.hits.lock().unwrap();
    let n = hits.len();
    drop(hits);
    save(n).await;
}

pub async fn mem_dropped_first(state: &State) {
    let hits = state.hits.lock().unwrap();
    let n = hits.len();
    std::mem::drop(hits);
    save(n).await;
}

pub async fn scoped_block(state: &State) {
    let n = {
        let hits = state.hits.lock().unwrap();
        hits.len()
    };
    save(n).await;
}

pub async fn temporary_statement(state: &State) {
    state.hits.lock().unwrap().push(1);
    save(0).await;
}

pub async fn copied_out(state: &State) {
    let n = state.hits.lock().unwrap().len();
    let first = *state.fast.lock();
    save(n + first as usize).await;
}

pub async fn shadowed_then_dropped(state: &State) {
    let n = state.hits.lock().unwrap(); // optimus-expect: lock-across-await
    let n = n.len();
    drop(n); // drops the usize, not the guard
    save(0).await;
}

pub async fn underscore_drops_at_once(state: &State) {
    let _ = state.hits.lock().unwrap();
    save(0).await;
}

pub async fn tokio_mutex_is_fine(state: &State) {
    let mut conn = state.conn.lock().await;
    *conn += 1;
    save(0).await;
}

pub async fn rwlock_read(state: &State) {
    let config = state.config.read().unwrap(); // optimus-expect: lock-across-await
    save(config.len()).await;
}

pub async fn parking_lot_guard(state: &State) {
    let fast = state.fast.lock(); // optimus-expect: lock-across-await
    save(*fast as usize).await;
}

pub async fn temporary_in_awaited_statement(state: &State, tx: tokio::sync::mpsc::Sender<Vec<u64>>) {
    tx.send(state.hits.lock().unwrap().clone()).await.ok(); // optimus-expect: lock-across-await
}

pub async fn match_keeps_scrutinee(state: &State) {
    match state.hits.lock().unwrap().first() { // optimus-expect: lock-across-await
        Some(n) => save(*n as usize).await,
        None => {}
    }
}

pub async fn plain_if_condition_is_dropped(state: &State) {
    if state.hits.lock().unwrap().is_empty() {
        save(0).await;
    }
}

pub async fn select_awaits(state: &State) {
    let hits = state.hits.lock().unwrap(); // optimus-expect: lock-across-await
    tokio::select! {
        _ = save(hits.len()) => {}
    }
}

pub async fn spawned_task_is_another_future(state: Arc<State>) {
    let hits = state.hits.lock().unwrap();
    let n = hits.len();
    tokio::spawn(async move {
        save(n).await;
    });
}

pub fn sync_code(state: &State) -> usize {
    let hits = state.hits.lock().unwrap();
    hits.len()
}

#[allow(clippy::await_holding_lock)]
pub async fn deliberate(state: &State) {
    let _serialise = state.hits.lock().unwrap();
    save(0).await;
}

pub async fn async_block(state: Arc<State>) {
    let task = async move {
        let hits = state.hits.lock().unwrap(); // optimus-expect: lock-across-await
        save(hits.len()).await;
    };
    task.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn holds_in_a_test() {
        let m = Mutex::new(0);
        let _g = m.lock().unwrap();
        save(0).await;
    }
}
