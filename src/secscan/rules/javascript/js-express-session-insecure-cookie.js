const session = require("express-session");

// ruleid: js-express-session-insecure-cookie
app.use(session({ secret: process.env.SESSION_SECRET, saveUninitialized: true, resave: true }));
// ruleid: js-express-session-insecure-cookie
app.use(session({ secret: process.env.SESSION_SECRET, cookie: { httpOnly: true, secure: false } }));
// ok: js-express-session-insecure-cookie
app.use(session({ secret: process.env.SESSION_SECRET, cookie: { httpOnly: true, secure: true } }));
// ok: js-express-session-insecure-cookie
app.use(session({ secret: process.env.SESSION_SECRET, cookie: cookieOptions }));
