// Bulletins (通告): every member reads the bulletins of their scope (opening one records
// the household's receipt); the committee writes them in four languages, schedules, pins,
// revises and withdraws; leaders follow the receipts and call the households that have
// not seen one. The public page of a community's public bulletins needs no session.
import { BulletinsPage } from './BulletinsPage.jsx';
import { BulletinPage } from './BulletinPage.jsx';
import { EditorPage } from './EditorPage.jsx';
import { ReceiptsPage } from './ReceiptsPage.jsx';
import { PublicBulletinsPage } from './PublicBulletinsPage.jsx';
import { LEADERS, READERS } from './common.jsx';

// The first match wins: literal paths before /bulletins/:id.
export const routes = [
  { path: '/bulletins', roles: READERS, page: BulletinsPage },
  { path: '/bulletins/new', roles: ['committee'], page: EditorPage },
  { path: '/bulletins/:id/edit', roles: ['committee'], page: EditorPage },
  { path: '/bulletins/:id/receipts', roles: LEADERS, page: ReceiptsPage },
  { path: '/bulletins/:id', roles: READERS, page: BulletinPage },
];

export const publicRoutes = [
  { path: '/public/communities/:id/bulletins', page: PublicBulletinsPage },
];

export const nav = [
  { key: 'bulletins', path: '/bulletins', label: 'bul.nav', roles: READERS, order: 20 },
];

export const homeLinks = [
  { key: 'bulletins', path: '/bulletins', label: 'bul.link', roles: READERS },
  { key: 'bulletins-new', path: '/bulletins/new', label: 'bul.link_new', roles: ['committee'] },
];
