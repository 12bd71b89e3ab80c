// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

// jsdom has no canvas. @grafana/ui's Combobox measures option text through a 2D context, so give
// it one whose measureText returns a width proportional to the text length.
HTMLCanvasElement.prototype.getContext = function getContext() {
  return {
    font: '',
    measureText: (text) => ({ width: String(text).length * 8 }),
  };
};
