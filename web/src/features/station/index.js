// Testing stations (采样点登记): the stations a person registers at today, and the station
// page itself — scan the tube, scan or find the person, one registration a tap — which
// keeps working with no network and sends what waits when the network is back.
import { StationListPage } from './StationListPage.jsx';
import { StationPage } from './StationPage.jsx';
import { StationConflictsPage } from './StationConflictsPage.jsx';
import './station.css';

const STAFF = ['committee', 'zone_leader', 'block_leader', 'volunteer'];
const LEADERS = ['committee', 'zone_leader', 'block_leader'];

export const routes = [
  { path: '/station', roles: STAFF, page: StationListPage },
  { path: '/station/:id', roles: STAFF, page: StationPage },
  { path: '/station/conflicts/:round', roles: LEADERS, page: StationConflictsPage },
];

export const homeLinks = [
  { key: 'station', path: '/station', label: 'station.link', roles: STAFF },
];
