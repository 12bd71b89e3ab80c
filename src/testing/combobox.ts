class NoIntersectionObserver {
  readonly root = null;
  readonly rootMargin = '';
  readonly thresholds = [];
  observe() {}
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
}

/**
 * Lets tests open @grafana/ui Combobox menus. jsdom lays nothing out, so the menu's virtual list
 * (sized from its scroll element's clientHeight) renders no options, and its scroll indicators
 * need an IntersectionObserver jsdom lacks. Returns a function that undoes both.
 */
export function setUpComboboxMenus(): () => void {
  const saved = {
    clientHeight: Object.getOwnPropertyDescriptor(Element.prototype, 'clientHeight'),
    clientWidth: Object.getOwnPropertyDescriptor(Element.prototype, 'clientWidth'),
    observer: Object.getOwnPropertyDescriptor(window, 'IntersectionObserver'),
  };
  Object.defineProperty(Element.prototype, 'clientHeight', { configurable: true, get: () => 400 });
  Object.defineProperty(Element.prototype, 'clientWidth', { configurable: true, get: () => 400 });
  Object.defineProperty(window, 'IntersectionObserver', {
    configurable: true,
    writable: true,
    value: NoIntersectionObserver,
  });

  return () => {
    restore(Element.prototype, 'clientHeight', saved.clientHeight);
    restore(Element.prototype, 'clientWidth', saved.clientWidth);
    restore(window, 'IntersectionObserver', saved.observer);
  };
}

function restore(target: object, key: string, descriptor: PropertyDescriptor | undefined) {
  if (descriptor) {
    Object.defineProperty(target, key, descriptor);
  } else {
    Reflect.deleteProperty(target, key);
  }
}
