// Logins made from the app: the page a printed slip's QR code opens (a one-time login
// link), and the panels the structure page and a resident's record use to make a login
// and print its slip. The "set your password" page the first session sees is in the
// app shell (pages/SetPasswordPage.jsx): it stands for every path until it is done.
import { FirstLoginPage } from './FirstLoginPage.jsx';

export const publicRoutes = [
  { path: '/first-login', page: FirstLoginPage },
];
