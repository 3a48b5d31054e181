/* lib_mgmt_medical.c — library row generators and violation injectors of the
 * management (35-55) and medical (65-81) categories.  Placeholder until
 * helper h5 lands them: an empty registry. */
#include "library.h"

const LibCategory lib_mgmt_medical_categories[] = {{0}};
