import { render } from 'preact';
import '../../assets/base.css';
import '../../assets/console.css';
import '../../assets/popup.css';
import { PopupApp } from './popup-app';

const root = document.getElementById('app');
if (root) render(<PopupApp />, root);
