// The dashboard page's entry, bundled by build-ui.mjs with uPlot's stylesheet and ours.
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { App } from './app.js';

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
