//! Finding records by id.

use std::fmt;
use std::hash::BuildHasher;

use hashbrown::hash_table::Entry;
use hashbrown::{DefaultHashBuilder, HashTable};

/// The positions of records in a list, found by their ids.
///
/// The table keeps no copy of the ids: a lookup compares the id asked for
/// with the ids of the records themselves, through the `id_of` function that
/// each call is given. So building it for 100,000 people allocates one table
/// and no strings, and the table that found duplicate ids while checking
/// serves as the society's index afterwards.
///
/// It hashes with foldhash (hashbrown's default), not the standard library's
/// SipHash, which took a twentieth of a large load. SipHash guards against
/// keys chosen to collide; these ids come from the society's own files,
/// written by its staff, and no request can add one.
#[derive(Clone, Default)]
pub(crate) struct IdTable {
    table: HashTable<usize>,
    hasher: DefaultHashBuilder,
}

impl IdTable {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        IdTable {
            table: HashTable::with_capacity(capacity),
            hasher: DefaultHashBuilder::default(),
        }
    }

    /// The position of the record with this id, if any. `id_of` gives the id
    /// of the record at a position, or None when there is none there.
    pub(crate) fn get<'r>(
        &self,
        id: &str,
        id_of: impl Fn(usize) -> Option<&'r str>,
    ) -> Option<usize> {
        self.table
            .find(self.hasher.hash_one(id), |&i| id_of(i) == Some(id))
            .copied()
    }

    /// The record in `list` with this id, where `id_of` reads a record's id.
    pub(crate) fn find<'a, T>(
        &self,
        list: &'a [T],
        id: &str,
        id_of: impl Fn(&T) -> &str,
    ) -> Option<&'a T> {
        let at = self.get(id, |i| list.get(i).map(&id_of))?;
        list.get(at)
    }

    /// Records `position` for `id`, unless the id has a position already:
    /// that earlier one is returned then, and the table is left as it was.
    pub(crate) fn insert<'r>(
        &mut self,
        id: &str,
        position: usize,
        id_of: impl Fn(usize) -> Option<&'r str>,
    ) -> Option<usize> {
        let IdTable { table, hasher } = self;
        let hash = hasher.hash_one(id);
        let rehash = |&i: &usize| hasher.hash_one(id_of(i).unwrap_or(""));
        match table.entry(hash, |&i| id_of(i) == Some(id), rehash) {
            Entry::Occupied(e) => Some(*e.get()),
            Entry::Vacant(e) => {
                e.insert(position);
                None
            }
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.table.len()
    }

    /// Every position in the table, in no particular order.
    pub(crate) fn positions(&self) -> impl Iterator<Item = usize> + '_ {
        self.table.iter().copied()
    }

    fn sorted_positions(&self) -> Vec<usize> {
        let mut all: Vec<usize> = self.positions().collect();
        all.sort_unstable();
        all
    }
}

impl fmt::Debug for IdTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdTable({} ids)", self.len())
    }
}

/// Two tables are equal when they hold the same positions. They index equal
/// records wherever they are compared (as part of equal societies), and the
/// same records give the same positions whatever the hasher's seed.
impl PartialEq for IdTable {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.sorted_positions() == other.sorted_positions()
    }
}

impl Eq for IdTable {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_first_position_of_each_id() {
        let ids = ["b", "a", "b", "c"];
        let id_of = |i: usize| ids.get(i).copied();
        let mut table = IdTable::with_capacity(0);
        let earlier: Vec<Option<usize>> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| table.insert(id, i, id_of))
            .collect();
        assert_eq!(earlier, [None, None, Some(0), None]);
        assert_eq!(table.len(), 3);
        assert_eq!(table.get("b", id_of), Some(0));
        assert_eq!(table.get("c", id_of), Some(3));
        assert_eq!(table.get("d", id_of), None);
        assert_eq!(table.sorted_positions(), [0, 1, 3]);
    }
}
