//! In-memory stock store, seeded from a JSON file at startup.

use std::collections::HashMap;
use std::error::Error;
use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct StockLevel {
    pub sku: String,
    pub warehouse: String,
    pub on_hand: u32,
    pub reserved: u32,
}

impl StockLevel {
    pub fn available(&self) -> u32 {
        self.on_hand.saturating_sub(self.reserved)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum ReserveError {
    UnknownSku,
    Insufficient { available: u32 },
}

/// Why a stock import was rejected (not UTF-8, not a JSON array of levels).
pub type ImportError = Box<dyn Error + Send + Sync>;

#[derive(Clone, Default)]
pub struct Store {
    levels: Arc<Mutex<HashMap<String, StockLevel>>>,
}

impl Store {
    pub fn from_seed_file(path: &Path) -> Store {
        let raw = fs::read_to_string(path).expect("seed file is readable");
        let levels: Vec<StockLevel> = serde_json::from_str(&raw).unwrap();
        Store::from_levels(levels)
    }

    pub fn from_levels(levels: Vec<StockLevel>) -> Store {
        let store = Store::default();
        {
            let mut map = store.levels.lock().unwrap();
            for level in levels {
                map.insert(level.sku.clone(), level);
            }
        }
        store
    }

    pub fn get(&self, sku: &str) -> Option<StockLevel> {
        self.levels.lock().unwrap().get(sku).cloned()
    }

    pub fn list(&self) -> Vec<StockLevel> {
        let map = self.levels.lock().unwrap();
        let mut all: Vec<StockLevel> = map.values().cloned().collect();
        all.sort_by(|a, b| a.sku.cmp(&b.sku));
        all
    }

    pub fn restock(&self, sku: &str, quantity: u32) -> Option<StockLevel> {
        let mut map = self.levels.lock().unwrap();
        let level = map.get_mut(sku)?;
        level.on_hand = level
            .on_hand
            .checked_add(quantity)
            .expect("stock counter overflow");
        Some(level.clone())
    }

    pub fn reserve(&self, sku: &str, quantity: u32) -> Result<StockLevel, ReserveError> {
        let mut map = self.levels.lock().unwrap();
        let level = map.get_mut(sku).ok_or(ReserveError::UnknownSku)?;
        let available = level.available();
        if available < quantity {
            return Err(ReserveError::Insufficient { available });
        }
        level.reserved += quantity;
        Ok(level.clone())
    }

    pub fn release(&self, sku: &str, quantity: u32) -> Option<StockLevel> {
        let mut map = self.levels.lock().unwrap();
        let level = map.get_mut(sku)?;
        level.reserved = level.reserved.saturating_sub(quantity);
        Some(level.clone())
    }

    pub fn total_available(&self) -> u64 {
        let map = self.levels.lock().unwrap();
        map.values().map(|l| u64::from(l.available())).sum()
    }

    /// Replaces every level with the given ones (a full import from the ERP).
    pub fn replace(&self, levels: Vec<StockLevel>) {
        let mut map = self.levels.lock().unwrap();
        map.clear();
        for level in levels {
            map.insert(level.sku.clone(), level);
        }
    }

    /// Writes the current levels to `path`, so that the next start can seed from them.
    pub async fn save_snapshot(&self, path: &Path) -> std::io::Result<()> {
        let map = self.levels.lock().unwrap();
        let mut levels: Vec<&StockLevel> = map.values().collect();
        levels.sort_by(|a, b| a.sku.cmp(&b.sku));
        let body = serde_json::to_vec_pretty(&levels)?;
        tokio::fs::write(path, body).await
    }
}

/// Stock levels from a JSON export (an array of levels) received as raw bytes.
pub fn parse_levels(bytes: Vec<u8>) -> Result<Vec<StockLevel>, ImportError> {
    let levels = serde_json::from_str(&String::from_utf8(bytes)?)?;
    Ok(levels)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        Store::from_levels(vec![StockLevel {
            sku: "MUG-001".into(),
            warehouse: "ams-1".into(),
            on_hand: 10,
            reserved: 2,
        }])
    }

    #[test]
    fn reserve_reduces_availability() {
        let store = store();
        let level = store.reserve("MUG-001", 3).unwrap();
        assert_eq!(level.available(), 5);
        assert_eq!(store.get("MUG-001").unwrap().reserved, 5);
    }

    #[test]
    fn reserve_more_than_available_fails() {
        let store = store();
        let err = store.reserve("MUG-001", 9).unwrap_err();
        assert_eq!(err, ReserveError::Insufficient { available: 8 });
    }

    #[test]
    fn release_never_underflows() {
        let store = store();
        let level = store.release("MUG-001", 50).expect("known sku");
        assert_eq!(level.reserved, 0);
    }
}
