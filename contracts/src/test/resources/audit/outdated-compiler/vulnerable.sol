pragma solidity 0.4.26;

contract Counter {
    uint256 public count;

    function increment() public {
        require(count < 1000);
        count += 1;
    }
}
