import { render } from 'preact';
import { setApiLanguage } from './api.js';
import { storedLanguage } from './i18n/index.js';
import { App } from './App.jsx';
import './styles.css';

// Requests made during the first render already carry the remembered language.
setApiLanguage(storedLanguage());
render(<App />, document.getElementById('app'));
