// Where a household is, as people say it: rooms are often stored with the block's name
// in front (1号楼1单元201), and then the block is not repeated ("1号楼1单元 1号楼1单元201").
export function placeName(household) {
  const room = household?.room || '';
  const block = household?.block_name || '';
  return !block || room.startsWith(block) ? room : `${block} ${room}`;
}

// The same for a place already written "block room" by the server (a household's
// scope_name): "1号楼1单元 1号楼1单元201" reads "1号楼1单元201".
export function placeText(text) {
  const s = String(text || '');
  const space = s.indexOf(' ');
  if (space <= 0) return s;
  const block = s.slice(0, space);
  const room = s.slice(space + 1);
  return room.startsWith(block) ? room : s;
}
