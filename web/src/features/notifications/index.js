// The notification centre: every capability's notices to one person, newest first.
import { NotificationsPage } from './NotificationsPage.jsx';

const EVERYONE = ['superuser', 'committee', 'zone_leader', 'block_leader', 'volunteer', 'resident'];

export const routes = [
  { path: '/notifications', roles: EVERYONE, page: NotificationsPage },
];
