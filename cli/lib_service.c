/* lib_service.c — library row generators and violation injectors of the
 * service-policy and consumable categories (14-31, 33).  Placeholder until
 * helper h4 lands them: an empty registry. */
#include "library.h"

const LibCategory lib_service_categories[] = {{0}};
