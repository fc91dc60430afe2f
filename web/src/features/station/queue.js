// The station's own storage (IndexedDB through idb): every registration is written here
// first and removed only once the server answered for it, so a closed tab, a reload or a
// lost network loses nothing; and the day's people cache, for finding and recognising
// people without the network. A cache of an earlier day is deleted when a page opens.
import { openDB } from 'idb';

const DB_NAME = 'shouwang-station';

function db() {
  return openDB(DB_NAME, 1, {
    upgrade(d) {
      const q = d.createObjectStore('queue', { keyPath: 'idem_key' });
      q.createIndex('station', 'station_id');
      d.createObjectStore('people', { keyPath: 'station_id' });
    },
  });
}

export async function queueAdd(item) {
  await (await db()).put('queue', item);
}

export async function queueList(stationId) {
  const items = await (await db()).getAllFromIndex('queue', 'station', stationId);
  return items.sort((a, b) => a.seq - b.seq);
}

export async function queueRemove(keys) {
  const tx = (await db()).transaction('queue', 'readwrite');
  await Promise.all([...keys.map((k) => tx.store.delete(k)), tx.done]);
}

export async function peopleSave(cache) {
  await (await db()).put('people', cache);
}

export async function peopleLoad(stationId, today) {
  const cache = await (await db()).get('people', stationId);
  return cache && cache.day === today ? cache : null;
}

// Every cache not of `today` goes: names and rooms are kept for the day only.
export async function peoplePurge(today) {
  const d = await db();
  const all = await d.getAll('people');
  await Promise.all(all.filter((c) => c.day !== today).map((c) => d.delete('people', c.station_id)));
}
