import { render } from 'preact';
import '../../assets/base.css';
import '../../assets/console.css';
import { OptionsApp } from './options-app';

const root = document.getElementById('app');
if (root) render(<OptionsApp />, root);
