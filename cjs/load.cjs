'use strict';
// rf8kit is an ES module package. From CommonJS, `require('rf8kit/...')` works on Node versions
// that can require() ES modules (Node >= 20.19 / >= 22.12); elsewhere this file throws a clear
// message instead of Node's ERR_REQUIRE_ESM.
module.exports = function load(subpath, doRequire) {
  try {
    return doRequire();
  } catch (e) {
    if (e && (e.code === 'ERR_REQUIRE_ESM' || e.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
      const name = subpath ? `rf8kit/${subpath}` : 'rf8kit';
      const err = new Error(
        `${name} is an ES module: use \`import ... from '${name}'\`, or from CommonJS \`const m = await import('${name}')\` ` +
          `(require() of ES modules needs Node >= 20.19 or >= 22.12; this is Node ${process.versions.node})`,
      );
      err.code = 'ERR_RF8KIT_ESM_ONLY';
      throw err;
    }
    throw e;
  }
};
