# check_exports.cmake — the Xapian wrapper exports its C API and nothing
# else (notmuch's T360 test). Run with -DREADELF= -DARCHIVE= -DHEADER=.
#
# In ARCHIVE (liburbis_xapian.a), every defined symbol of default
# visibility must be
#  - GLOBAL and named urb_x*: our API; or
#  - WEAK and inside std::, __gnu_cxx:: or Xapian::: vague-linkage copies
#    of library templates and inline functions, whose visibility those
#    libraries' headers fix (their own code would clash otherwise).
# Everything of ours that is not API (helpers, the match spy) must be
# hidden or local. And every function HEADER declares must be exported.
cmake_minimum_required(VERSION 3.18)

execute_process(COMMAND ${READELF} -sW ${ARCHIVE}
                OUTPUT_VARIABLE symtab RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${READELF} -sW ${ARCHIVE} failed")
endif()

# Mangled names in std:: (St, or the short forms Sa, Sb, Ss, Si, So, Sd
# of std::allocator and friends), __gnu_cxx:: and Xapian::, with their
# vtables (_ZTV), typeinfo (_ZTI) and typeinfo names (_ZTS).
set(library "^_Z(T[VIS])?N?K?(S[tabsiod]|9__gnu_cxx|6Xapian)")
# Placement new and delete, inline in <new>.
set(placement "^_Z(nw|dl)")

# A readelf -sW line: Num: Value Size Type Bind Vis Ndx Name.
set(symbol "^ *[0-9]+: [0-9a-f]+ +[0-9xa-f]+ +[A-Z_]+ +")
string(APPEND symbol "([A-Z_]+) +DEFAULT +([A-Z0-9]+) +([^ ]+)$")

string(REPLACE "\n" ";" lines "${symtab}")
set(exported "")
set(leaked "")
foreach(line IN LISTS lines)
  if(NOT line MATCHES "${symbol}")
    continue()
  endif()
  set(bind ${CMAKE_MATCH_1})
  set(ndx ${CMAKE_MATCH_2})
  set(name ${CMAKE_MATCH_3})
  if(ndx STREQUAL "UND" OR bind STREQUAL "LOCAL")
    continue()
  endif()
  if(bind STREQUAL "GLOBAL" AND name MATCHES "^urb_x")
    list(APPEND exported ${name})
  elseif(bind STREQUAL "WEAK" AND
         (name MATCHES "${library}" OR name MATCHES "${placement}"))
    # A library's own vague-linkage symbol.
  else()
    list(APPEND leaked "${bind} ${name}")
  endif()
endforeach()

file(READ ${HEADER} header)
string(REGEX MATCHALL "URB_API[^;]*[ *]urb_x[a-z0-9_]+\\(" decls "${header}")
set(missing "")
set(declared 0)
foreach(decl IN LISTS decls)
  string(REGEX REPLACE ".*[ *](urb_x[a-z0-9_]+)\\($" "\\1" fn "${decl}")
  math(EXPR declared "${declared} + 1")
  if(NOT fn IN_LIST exported)
    list(APPEND missing ${fn})
  endif()
endforeach()

list(LENGTH exported nexported)
message(STATUS "${nexported} urb_x* symbols exported, ${declared} declared")
if(declared EQUAL 0)
  message(FATAL_ERROR "no URB_API declaration found in ${HEADER}")
endif()
if(leaked)
  string(REPLACE ";" "\n  " leaked "${leaked}")
  message(FATAL_ERROR "symbols with default visibility leak:\n  ${leaked}")
endif()
if(missing)
  string(REPLACE ";" "\n  " missing "${missing}")
  message(FATAL_ERROR "declared in the header but not exported:\n  ${missing}")
endif()
if(NOT nexported EQUAL declared)
  message(FATAL_ERROR "exported urb_x* symbols that the header lacks")
endif()
