const swig = require("swig");
const nunjucks = require("nunjucks");

// ruleid: js-template-autoescape-disabled
swig.setDefaults({ autoescape: false });
// ok: js-template-autoescape-disabled
swig.setDefaults({ autoescape: true });
// ruleid: js-template-autoescape-disabled
nunjucks.configure("views", { autoescape: false, express: app });
// ok: js-template-autoescape-disabled
nunjucks.configure("views", { autoescape: true, express: app });
